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
 * @param state {@link State#ACTIVE} or {@link State#QUARANTINED}
 * @param counts the faults dispatched to it and how they were answered
 */
public record HandlerStatus(String name, String bundle, long serviceId, int ranking, List<String> domains,
        List<String> devices, List<Integer> pasids, String dispatch, long timeoutMillis, State state,
        FaultCounts counts) {

    /** Copies the lists. */
    public HandlerStatus {
        domains = List.copyOf(domains);
        devices = List.copyOf(devices);
        pasids = List.copyOf(pasids);
    }

    /** Whether a handler receives faults. */
    public enum State {
        /** Faults are routed to it. */
        ACTIVE,
        /** It failed or blocked too often in a row; faults are routed as if it were not registered. */
        QUARANTINED
    }
}
