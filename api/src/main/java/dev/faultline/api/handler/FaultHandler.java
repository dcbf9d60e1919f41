package dev.faultline.api.handler;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Receives every fault of the domains or devices it serves: page request groups (recoverable) and
 * unrecoverable faults (flagged {@link FaultGroup#recoverable() not recoverable}), through this one method.
 *
 * <p><b>Registration.</b> Register as an OSGi service (whiteboard) with the properties of
 * {@link HandlerProperties}, most simply with Declarative Services and {@link FaultHandlerTarget}:
 * <pre>{@code
 * @Component
 * @FaultHandlerTarget(domain = "gpu0")
 * public final class GpuFaults implements FaultHandler {
 *     public void handle(FaultGroup group) {
 *         group.respond(ResponseCode.INVALID);
 *     }
 * }
 * }</pre>
 *
 * <p><b>Answering.</b> For a recoverable group, the handler either
 * <ul>
 *   <li>answers before returning, with {@link FaultGroup#respond}, or</li>
 *   <li>calls {@link FaultGroup#defer()} before returning and answers the returned {@link DeferredGroup}
 *       later, from any thread, before its deadline ({@link HandlerProperties#TIMEOUT_MS}).</li>
 * </ul>
 * A recoverable group neither answered nor deferred when {@code handle} returns is answered
 * {@code INVALID} by the core and counted as abandoned. An unrecoverable fault needs no hardware answer:
 * returning from {@code handle} delivers it; answering it ({@code INVALID} by convention) is allowed.
 *
 * <p><b>Errors.</b> If {@code handle} throws, the core answers the group {@code FAILURE} (unless it was
 * already answered) and counts the error; a handler that keeps failing may be quarantined by the core.
 * If a deferred group is not answered before its deadline, the core answers it (configurable, {@code INVALID}
 * by default) and counts a timeout; the handler's later answer is rejected and counted.
 *
 * <p><b>Threading.</b> {@code handle} is called on a core or backend thread, possibly concurrently for
 * different devices, never concurrently for the same group. By default ({@link HandlerProperties#DISPATCH}
 * {@code inline}) it runs on the IOMMU's fault thread and must return quickly without blocking: defer
 * anything slow. The {@link FaultGroup} passed in is valid only during the call.
 *
 * @since 1.0
 */
@ConsumerType
@FunctionalInterface
public interface FaultHandler {

    /**
     * Handles one fault group.
     *
     * @param group the group; valid only until this method returns, unless {@link FaultGroup#defer() deferred}
     */
    void handle(FaultGroup group);
}
