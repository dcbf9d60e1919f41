package dev.faultline.api.backend;

import dev.faultline.api.fault.DeviceId;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Implemented by a backend (IOMMU driver) for each IOMMU it connects: turns the core's answers into
 * hardware commands (SMMUv3 CMD_RESUME / CMD_PRI_RESP, VT-d page group response descriptors).
 *
 * @since 1.0
 */
@ConsumerType
public interface IommuBackend {

    /** A name unique among connected IOMMUs, e.g. {@code smmuv3.0} or {@code dmar0}. */
    String name();

    /**
     * Sends the answer of one page request group to the hardware. The core calls this exactly once per
     * group, from a handler, core or timer thread; it must not block for long and must not throw (a throw
     * is caught and counted as a lost response).
     *
     * @param device the device that made the requests
     * @param response the answer; valid only during this call
     */
    void sendPageResponse(DeviceId device, PageResponse response);

    /**
     * Whether this backend prints, in its hardware's own format and rate-limited, the faults the core returns
     * {@link ReportOutcome#NO_HANDLER} for (as Linux's IOMMU drivers print events nobody handled). When it
     * does, the core does not print them a second time. Guest-owned faults are printed by neither.
     *
     * @return {@code false} unless overridden: the core prints unhandled faults itself
     * @since 1.1
     */
    default boolean printsUnhandledFaults() {
        return false;
    }

    /**
     * Called by the core (on its watchdog thread) when a report call this backend made is held by an inline
     * handler past the core's blocking threshold ({@code inline.block.ms}). A backend that drains its queues on
     * one thread should go on with them on a fresh thread, leaving the blocked one to its handler, so that the
     * IOMMU's other devices are not held up (see {@code dev.faultline.core.queue.QueuePass}). The blocked call's
     * group is answered on the handler's behalf at its deadline either way. Must not block.
     *
     * <p>The default does nothing: the IOMMU's other faults wait until the handler returns.
     *
     * @since 1.2
     */
    default void reportingThreadBlocked() {
    }
}
