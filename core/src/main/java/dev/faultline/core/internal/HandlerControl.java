package dev.faultline.core.internal;

import dev.faultline.api.stats.HandlerStatus;
import java.util.List;

/** The core's handler controls for the shell ({@code faultline:release}); a service of the core bundle only. */
public interface HandlerControl {

    /**
     * Releases quarantined handlers by hand: those whose {@code service.id} or name is {@code handler}.
     *
     * @return the released handlers' status after the release (empty if none matched or none was quarantined)
     */
    List<HandlerStatus> release(String handler);
}
