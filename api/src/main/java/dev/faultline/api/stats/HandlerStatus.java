package dev.faultline.api.stats;

import java.util.List;

/**
 * One registered {@link dev.faultline.api.handler.FaultHandler}.
 *
 * @param name the component name (or class name) of the handler
 * @param bundle the symbolic name of the bundle that registered it
 * @param serviceId its {@code service.id}
 * @param ranking its {@code service.ranking}
 * @param domains the domain names it serves
 * @param devices the canonical ids of the devices it serves
 * @param pasids the PASIDs it is restricted to with its devices; empty for all
 * @param dispatch {@code inline} or {@code queued}
 * @param timeoutMillis the deadline of its deferred groups
 * @param state whether it receives faults
 * @param counts the faults dispatched to it and how they were answered
 * @param reason why it is {@link State#REFUSED} or {@link State#QUARANTINED}; empty when {@link State#ACTIVE}
 * @param standing for an active handler, per target whether it serves it or which handler outranks it
 *     (e.g. {@code "device 0000:00:03.0: serves"}, {@code "domain gpu0: behind gpu-main (ranking 5, service.id 40)"})
 * @param handedOver groups that waited for this handler while it replaced a departed one, and reached it
 * @since 1.1
 */
public record HandlerStatus(String name, String bundle, long serviceId, int ranking, List<String> domains,
        List<String> devices, List<Integer> pasids, String dispatch, long timeoutMillis, State state,
        FaultCounts counts, String reason, List<String> standing, long handedOver) {

    /** Copies the lists. */
    public HandlerStatus {
        domains = List.copyOf(domains);
        devices = List.copyOf(devices);
        pasids = List.copyOf(pasids);
        standing = List.copyOf(standing);
    }

    /** A status without reason, standing and hand-over count (the 1.0 form). */
    public HandlerStatus(String name, String bundle, long serviceId, int ranking, List<String> domains,
            List<String> devices, List<Integer> pasids, String dispatch, long timeoutMillis, State state,
            FaultCounts counts) {
        this(name, bundle, serviceId, ranking, domains, devices, pasids, dispatch, timeoutMillis, state, counts, "",
                List.of(), 0);
    }

    /** Whether a handler receives faults. */
    public enum State {
        /** Faults are routed to it. */
        ACTIVE,
        /**
         * It threw, blocked or timed out too often in a row; faults are routed as if it were not registered until it
         * is released (after its back-off, or by {@code faultline:release}).
         */
        QUARANTINED,
        /**
         * Its registration was refused (malformed or unknown {@code faultline.*} property, no usable target, or a
         * target owned by another bundle); it never receives faults. {@link HandlerStatus#reason()} says why.
         *
         * @since 1.1
         */
        REFUSED
    }
}
