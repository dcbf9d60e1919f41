package dev.faultline.api.backend;

import dev.faultline.api.fault.DeviceId;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The core's handle for one connected IOMMU: Linux's {@code iopf_queue} for that IOMMU. Thread-safe.
 *
 * @since 1.0
 */
@ProviderType
public interface IommuPort extends AutoCloseable {

    /**
     * Announces a device that may fault ({@code iopf_queue_add_device}).
     *
     * @throws IllegalStateException if the device is already present on any IOMMU, or the port is closed
     */
    DevicePort addDevice(DeviceId device);

    /** The port of a device added here, if any. */
    Optional<DevicePort> device(DeviceId device);

    /**
     * Discards every device's partial (not yet last) page requests, as after a page request queue overflow
     * whose last-page requests may have been lost ({@code iopf_queue_discard_partial}). Counted as drops.
     */
    void discardPartials();

    /**
     * Reports that the hardware dropped faults because {@code queue} overflowed: one call per overflow episode the
     * driver detects (the hardware does not say how many faults it dropped). Counted in the IOMMU's
     * {@link dev.faultline.api.stats.IommuStatus}, across backend swaps; call {@link #discardPartials()} as well
     * when page requests may have been lost. Allocates nothing; never blocks. The default counts nothing (for
     * test doubles of the core).
     *
     * @since 1.2
     */
    default void reportOverflow(FaultQueue queue) {
    }

    /**
     * Disconnects the IOMMU: discards partials, answers every pending group {@code INVALID} (sent to the
     * backend, which must still accept responses during this call), and removes its devices. Idempotent.
     */
    @Override
    void close();
}
