package dev.faultline.core.internal.route;

import dev.faultline.api.backend.Domain;

/**
 * One attachment of a domain to a device (or one PASID of it): the owner's identity that every group formed
 * under it carries. The domain's route is resolved once at attach time, so routing a fault is two reads.
 *
 * <p>An attachment is retired, once and for good, when its owner changes (detach, replace, device removal):
 * from then on an answer to a group formed under it is stale. A group checks that with one volatile read of
 * {@link #retired()} when its answer wins, so the check costs the inline path nothing it did not already pay.
 */
public final class Attachment {
    private final Domain domain;
    private final DomainRoute route;
    private final long generation;
    private volatile boolean retired;

    public Attachment(Domain domain, DomainRoute route, long generation) {
        this.domain = domain;
        this.route = route;
        this.generation = generation;
    }

    /** The attached domain. */
    public Domain domain() {
        return domain;
    }

    /** Where the domain's current handler is published. */
    public DomainRoute route() {
        return route;
    }

    /** The device's attach count when this attachment was made (1 for its first), for display. */
    long generation() {
        return generation;
    }

    /** Whether the owner changed since: answers to groups formed under this attachment are stale. */
    public boolean retired() {
        return retired;
    }

    /** Marks the owner gone; the barrier answers the groups afterwards. */
    public void retire() {
        retired = true;
    }

    @Override
    public String toString() {
        return domain.name() + " #" + generation + (retired ? " (retired)" : "");
    }
}
