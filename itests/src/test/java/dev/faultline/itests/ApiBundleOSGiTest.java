package dev.faultline.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
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
    void apiBundleExportsItsFourPackagesAtTheirSemanticVersions() {
        Bundle api = Arrays.stream(context.getBundles())
                .filter(b -> "dev.faultline.api".equals(b.getSymbolicName())).findFirst().orElseThrow();
        assertThat(api.getState()).isEqualTo(Bundle.ACTIVE);
        List<BundleCapability> exports = api.adapt(BundleWiring.class).getCapabilities("osgi.wiring.package");
        Map<Object, Object> versions = exports.stream().collect(Collectors.toMap(
                c -> c.getAttributes().get("osgi.wiring.package"), c -> c.getAttributes().get("version")));
        // backend 1.1: IommuBackend.printsUnhandledFaults(), a default method (minor for consumers and providers);
        // handler 1.1: DeferredGroup.handBack(), HandlerProperties.GUEST/KNOWN/NO_DEADLINE; stats 1.1: HandlerStatus
        // reason, standing and handedOver, State.REFUSED; backend 1.2: IommuPort.reportOverflow and FaultQueue;
        // stats 1.2: FaultStatistics.iommus() and answerLatency(), IommuStatus, AnswerLatency; handler 1.2:
        // DeferredGroup.size(), address(i), permissions(i), default methods that read in place
        assertThat(versions).containsOnly(
                entry("dev.faultline.api.fault", new Version(1, 0, 0)),
                entry("dev.faultline.api.handler", new Version(1, 3, 0)),
                entry("dev.faultline.api.backend", new Version(1, 2, 0)),
                entry("dev.faultline.api.stats", new Version(1, 2, 0)));
    }
}
