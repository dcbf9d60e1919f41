package dev.faultline.api.stats;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The core's counters and live state, registered as an OSGi service next to
 * {@link dev.faultline.api.backend.FaultPipeline}. Every method returns a fresh snapshot; counters are read
 * without stopping the fault path, so a snapshot taken while faults are in flight may be off by the faults
 * in flight. At rest, {@link FaultCounts#balanced()} holds for every set of counters returned.
 *
 * <p>Thread-safe; never blocks the fault path.
 *
 * @since 1.0
 */
@ProviderType
public interface FaultStatistics {

    /** The sum over all devices, present and removed. */
    FaultCounts totals();

    /** Every device added since the core started, present ones first, each with its counters. */
    List<DeviceStatus> devices();

    /** Every registered handler, with its counters. */
    List<HandlerStatus> handlers();

    /** Groups reported but not yet answered: deferred by a handler or waiting in a queued handler's queue. */
    List<PendingGroup> pending();

    /**
     * Every IOMMU a backend connected since the core started (connected ones and those whose backend left), with
     * the hardware overflows its backends reported. The default lists none (for test doubles of the core).
     *
     * @since 1.2
     */
    default List<IommuStatus> iommus() {
        return List.of();
    }

    /**
     * The latency from receipt to answer of the page request groups of all devices (a sample, see
     * {@link AnswerLatency}); each handler's is in {@link HandlerStatus#answerLatency()}. The default has no samples
     * (for test doubles of the core).
     *
     * @since 1.2
     */
    default AnswerLatency answerLatency() {
        return AnswerLatency.none();
    }
}
