package dev.faultline.platform.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.FaultPipeline;
import dev.faultline.api.backend.ReportOutcome;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.core.internal.FaultPipelineComponent;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.osgi.service.log.Logger;

/**
 * Every real test log replayed through the real core (no handlers registered): each page request group is
 * answered {@code INVALID} exactly once, every other fault finds no handler, and the replay IOMMU can be
 * connected again afterwards.
 */
class CoreReplayEndToEndTest {
    private static final FaultPipeline CORE = startCore();

    /**
     * The core component as SCR would create it: its configuration annotation with every default, a logger
     * that drops everything.
     */
    private static FaultPipeline startCore() {
        Constructor<?> activate = FaultPipelineComponent.class.getConstructors()[0];
        Object[] args = new Object[activate.getParameterCount()];
        for (int i = 0; i < args.length; i++) {
            Class<?> type = activate.getParameterTypes()[i];
            args[i] = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                    (proxy, method, a) -> type == Logger.class ? silent(method) : defaultOf(method));
        }
        try {
            return (FaultPipeline) activate.newInstance(args);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("the core did not start", e);
        }
    }

    private static Object defaultOf(Method m) {
        return m.getDefaultValue() != null ? m.getDefaultValue() : m.getName().equals("toString") ? "defaults" : null;
    }

    private static Object silent(Method m) {
        return m.getReturnType() == boolean.class ? Boolean.FALSE : m.getReturnType() == String.class ? "test" : null;
    }

    static Stream<Arguments> cases() throws java.io.IOException {
        return RealFaultLogsTest.cases();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyOwedAnswerComesOnceFromTheCore(String id, Map<String, Object> testCase) {
        DecodedLog log = new LogDecoder().decode((String) testCase.get("log"));
        ReplayReport report = new Replayer(CORE).replay(log, ReplayOptions.defaults());

        assertThat(report.clean()).as("%s%n%s", id, report.render()).isTrue();
        assertThat(report.responses(ResponseCode.INVALID)).as(id).isEqualTo(report.awaitedResponses());
        assertThat(report.outcome(ReportOutcome.DISPATCHED) + report.outcome(ReportOutcome.DELIVERED)).as(id).isZero();
        int notReplayed = report.notReplayed().values().stream().mapToInt(Integer::intValue).sum();
        assertThat(report.replayed() + notReplayed).as(id).isEqualTo(log.faults().size());
    }

    @Test
    void stalledSmmuTranslationFaultsAreAnsweredAndTheOthersFindNoHandler() throws java.io.IOException {
        String log = RealFaultLogsTest.cases().filter(a -> a.get()[0].equals("smmuv3-event-05"))
                .map(a -> (String) ((Map<?, ?>) a.get()[1]).get("log")).findFirst().orElseThrow();
        ReplayReport report = new Replayer(CORE).replay(new LogDecoder().decode(log),
                ReplayOptions.defaults().withBackendName("replay-stalls"));
        assertThat(report.replayed()).isEqualTo(2);
        assertThat(report.awaitedResponses()).isEqualTo(2);
        assertThat(report.outcomes()).containsExactly(Map.entry(ReportOutcome.NO_HANDLER, 2));
        assertThat(report.responses()).containsExactly(Map.entry(ResponseCode.INVALID, 2));
        assertThat(report.errors()).isEqualTo(List.of());
    }
}
