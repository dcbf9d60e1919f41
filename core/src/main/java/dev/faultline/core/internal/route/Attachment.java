package dev.faultline.core.internal.route;

import dev.faultline.api.backend.Domain;
import dev.faultline.core.internal.dispatch.Handler;
import org.jspecify.annotations.Nullable;

/**
 * One attachment of a domain to a device (or one PASID of it): the owner's identity that every group formed
 * under it carries, and the handler serving its domain now, which the domain's {@link DomainRoute} keeps up to
 * date, so routing a fault is one volatile read.
 *
 * <p>An attachment is retired, once and for good, when its owner changes (detach, replace, device removal):
 * from then on an answer to a group formed under it is stale. A group checks that with one volatile read of
 * {@link #retired()} when its answer wins, so the check costs the inline path nothing it did not already pay.
 */
public final class Attachment {
    private final Domain domain;
    private final DomainRoute route;
    private final long generation;
    private volatile @Nullable Handler handler;
    private volatile boolean retired;

    Attachment(Domain domain, DomainRoute route, long generation, @Nullable Handler handler) {
        this.domain = domain;
        this.route = route;
        this.generation = generation;
        this.handler = handler;
    }

    /** A new attachment of the same domain (a device's attachments restored after a backend swap). */
    public Attachment renewed(long newGeneration) {
        return route.attach(domain, newGeneration);
    }

    /** The attached domain. */
    public Domain domain() {
        return domain;
    }

    /** The handler serving the domain now, or {@code null}. */
    public @Nullable Handler handler() {
        return handler;
    }

    void serveWith(@Nullable Handler h) {
        handler = h;
    }

    /** The device's attach count when this attachment was made (1 for its first), for display. */
    long generation() {
        return generation;
    }

    /** Whether the owner changed since: answers to groups formed under this attachment are stale. */
    public boolean retired() {
        return retired;
    }

    /** Marks the owner gone (the barrier answers the groups afterwards); the domain's route forgets it. */
    public void retire() {
        retired = true;
        route.forget(this);
    }

    @Override
    public String toString() {
        return domain.name() + " #" + generation + (retired ? " (retired)" : "");
    }
}
