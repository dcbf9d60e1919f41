package dev.faultline.core.internal.route;

import dev.faultline.api.backend.Domain;
import dev.faultline.core.internal.dispatch.Handler;
import java.util.HashSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The handler currently serving one domain (highest ranking, then lowest service id), or none, and the live
 * attachments of the domain, to which it hands each change of handler: a fault reads its handler from its
 * attachment, one volatile read, and never this object.
 */
public final class DomainRoute {
    private @Nullable Handler current;
    private final Set<Attachment> attachments = new HashSet<>();

    /** A new attachment of {@code domain} to a device (or PASID), serving with this route's handler from now on. */
    synchronized Attachment attach(Domain domain, long generation) {
        Attachment a = new Attachment(domain, this, generation, current);
        attachments.add(a);
        return a;
    }

    /** Forgets a retired attachment. */
    synchronized void forget(Attachment a) {
        attachments.remove(a);
    }

    /** Publishes the handler serving the domain now to every live attachment of it. */
    synchronized void set(@Nullable Handler handler) {
        if (handler == current) {
            return;
        }
        current = handler;
        for (Attachment a : attachments) {
            a.serveWith(handler);
        }
    }
}
