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
 * A registration with a malformed or unknown {@code faultline.*} property, without a target, or for a target
 * another bundle owns is refused as a whole (state {@code REFUSED}, logged with the reason): it receives nothing.
 *
 * <p><b>Answering.</b> For a recoverable group, the handler either
 * <ul>
 *   <li>answers before returning, with {@link FaultGroup#respond}, or</li>
 *   <li>calls {@link FaultGroup#defer()} before returning and answers the returned {@link DeferredGroup}
 *       later, from any thread, before its deadline.</li>
 * </ul>
 * A recoverable group neither answered nor deferred when {@code handle} returns is answered
 * {@code INVALID} by the core and counted as abandoned. An unrecoverable fault needs no hardware answer:
 * returning from {@code handle} delivers it; answering it ({@code INVALID} by convention) is allowed. What the
 * codes mean on PCIe (PRI): {@code SUCCESS} makes the device retry the access; {@code INVALID} fails that access
 * only; {@code FAILURE} is Response Failure: the device stops issuing page requests altogether until it is reset
 * (SMMU stalls: the transaction is terminated, like {@code INVALID}).
 *
 * <p><b>Deadlines and defaults.</b> Every group has a deadline: its report time plus the handler's
 * {@link HandlerProperties#TIMEOUT_MS} (the core's {@code timeout.default.ms}, 1000 ms, when absent or 0). A
 * deferred or queued group not answered by then, including one still waiting in a queued handler's queue, and an
 * inline call still running then, are answered on the handler's behalf with the core's {@code timeout.response}
 * ({@code INVALID} by default) and counted as timed out; the handler's later answer is refused ({@code false})
 * and counted as a duplicate. {@link HandlerProperties#NO_DEADLINE} turns the deadline off explicitly: the handler
 * then answers every group itself, however long it takes.
 *
 * <p><b>Errors and health.</b> If {@code handle} throws, the core answers the group {@code FAILURE} (unless it
 * was already answered), which on PCIe stops the device's page requests: throw only for a fault the device must
 * not retry. The core counts throws, inline calls that block past {@code inline.block.ms} (100 ms) and groups
 * answered at their deadline; {@code quarantine.after} (10) of one kind in a row quarantine the handler (its faults
 * are routed as if it were not registered). A quarantine ends after {@code quarantine.backoff.ms} on probation, or
 * by {@code faultline:release}.
 *
 * <p><b>Threading.</b> {@code handle} is called on a core or backend thread, possibly concurrently for
 * different devices, never concurrently for the same group. By default ({@link HandlerProperties#DISPATCH}
 * {@code inline}) it runs on the IOMMU's fault thread and must return quickly without blocking: defer anything
 * slow, or register {@code queued} to be called on a thread of the handler's own. A call that blocks anyway is
 * counted slow after {@code inline.block.ms} (100 ms by default), when the backend is told to go on with the
 * IOMMU's other faults on a fresh thread; its group is answered on its behalf at its deadline. The {@link FaultGroup} passed in
 * is valid only during the call, on the calling thread; a {@link DeferredGroup} may be used from any thread.
 *
 * <p><b>Lifecycle.</b> In this order, which a Declarative Services component can rely on:
 * <ol>
 *   <li>When the service is unregistered (component deactivation, bundle stop or update, {@code faultline:swap})
 *       the core stops entering {@code handle}: a call already running on another thread is waited for (at most its
 *       deadline) before unregistration returns, so {@code handle} is never entered once {@code @Deactivate}
 *       runs.</li>
 *   <li>Groups the handler holds (deferred) stay its own during its clean-up, the core's {@code cleanup.window.ms}
 *       (500 ms) after unregistration: {@code @Deactivate} may answer them, which are first answers, not
 *       duplicates, or {@link DeferredGroup#handBack() hand them back} for its replacement. Groups still waiting
 *       unseen in a queued handler's queue go to the replacement.</li>
 *   <li>When the clean-up window ends, the core answers what the handler left {@code INVALID}.</li>
 *   <li>Faults of its targets that arrive while it is gone wait for a replacement (same targets, allowed by
 *       ownership) for the core's {@code handover.window.ms} (1000 ms), keeping their deadline, and then go to it:
 *       a bundle update, a {@code faultline:swap} or a DS reactivation answers none of them "no handler". If no
 *       replacement comes in time they are answered {@code INVALID} (counted as timed out).</li>
 * </ol>
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
