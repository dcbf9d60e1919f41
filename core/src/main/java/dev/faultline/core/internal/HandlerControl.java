package dev.faultline.core.internal;

import dev.faultline.api.stats.HandlerStatus;
import java.util.List;

/**
 * The core's handler controls for the shell ({@code faultline:release}). Not a service of its own: the core's
 * {@link dev.faultline.api.stats.FaultStatistics} service object implements it, and only the core bundle's own
 * commands (same class loader) use it.
 */
public interface HandlerControl {

    /**
     * Releases quarantined handlers by hand: those whose {@code service.id} or name is {@code handler}.
     *
     * @return the released handlers' status after the release (empty if none matched or none was quarantined)
     */
    List<HandlerStatus> release(String handler);
}
