package dev.faultline.core.control;

import dev.faultline.api.stats.HandlerStatus;
import java.util.List;

/**
 * The core's handler controls, registered as a service of its own by the core bundle, for management tools: {@code faultline:release}, the Web Console's Release button and
 * the handler MBeans' {@code release} operation.
 */
@org.osgi.annotation.versioning.ProviderType
public interface HandlerControl {

    /**
     * Releases quarantined handlers by hand: those whose {@code service.id} or name is {@code handler}.
     *
     * @return the released handlers' status after the release (empty if none matched or none was quarantined)
     */
    List<HandlerStatus> release(String handler);
}
