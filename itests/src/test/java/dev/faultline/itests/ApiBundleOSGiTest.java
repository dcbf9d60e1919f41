package dev.faultline.itests;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Version;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.test.common.annotation.InjectBundleContext;

/** The api bundle as a handler or backend bundle sees it: active, exporting versioned packages only. */
class ApiBundleOSGiTest {
    @InjectBundleContext
    BundleContext context;

    @Test
    void apiBundleExportsItsFourPackagesAtVersionOne() {
        Bundle api = Arrays.stream(context.getBundles())
                .filter(b -> "dev.faultline.api".equals(b.getSymbolicName())).findFirst().orElseThrow();
        assertThat(api.getState()).isEqualTo(Bundle.ACTIVE);
        List<BundleCapability> exports = api.adapt(BundleWiring.class).getCapabilities("osgi.wiring.package");
        assertThat(exports).extracting(c -> c.getAttributes().get("osgi.wiring.package"))
                .containsExactlyInAnyOrder("dev.faultline.api.fault", "dev.faultline.api.handler",
                        "dev.faultline.api.backend", "dev.faultline.api.stats");
        assertThat(exports).allSatisfy(c ->
                assertThat(c.getAttributes().get("version")).isEqualTo(new Version(1, 0, 0)));
    }
}
