package dev.faultline.demo;

import java.util.function.Consumer;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The demo: devices of the simulated machine fault through the SMMUv3 and VT-d backends into the core, and
 * handlers (the drivers', the examples') answer. Each step uses only the services and exported packages of
 * the bundles installed; a step whose pieces are missing is reported as not run, never as passed.
 *
 * <p>Thread-safe; runs are serialized.
 */
@ProviderType
public interface DemoScenario {

    /**
     * Runs every step once.
     *
     * @param progress told the title of each step as it starts, as {@code [n/total] title}
     * @return what ran and what was observed
     */
    DemoReport run(Consumer<String> progress);
}
