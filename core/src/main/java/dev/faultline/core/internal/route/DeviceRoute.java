package dev.faultline.core.internal.route;

import dev.faultline.core.internal.dispatch.Handler;
import org.jspecify.annotations.Nullable;

/**
 * The handlers registered for one device ({@code faultline.device}), resolved per PASID: a handler restricted
 * with {@code faultline.pasid} serves only those PASIDs, an unrestricted one serves all. Rebuilt when handlers
 * change; read with one volatile read and one primitive map lookup.
 */
public final class DeviceRoute {
    /**
     * One resolution.
     *
     * @param any the best handler serving every PASID, or null
     * @param byPasid for each PASID some restricted handler names, the best handler serving it
     */
    record Choice(@Nullable Handler any, PasidMap<Handler> byPasid) {
        static final Choice NONE = new Choice(null, PasidMap.empty());
    }

    private volatile Choice choice = Choice.NONE;

    /** The handler for faults with {@code pasid} ({@link dev.faultline.api.fault.Pasid#NONE} included), or null. */
    public @Nullable Handler handlerFor(int pasid) {
        Choice c = choice;
        if (c.byPasid().size() != 0) {
            Handler h = c.byPasid().get(pasid);
            if (h != null) {
                return h;
            }
        }
        return c.any();
    }

    void set(Choice newChoice) {
        choice = newChoice;
    }
}
