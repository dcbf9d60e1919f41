package dev.faultline.faultlog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.backend.ReportOutcome;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.DeferredGroup;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.core.standalone.StandaloneCore;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real test logs replayed through the production core ({@link StandaloneCore}): without handlers every page
 * request group is answered {@code INVALID} exactly once and every other fault finds no handler; with a
 * handler serving the attached domain, the handler's answers reach the replay IOMMU, also when it defers them
 * to another thread.
 */
class CoreReplayEndToEndTest {
    private static final StandaloneCore CORE = StandaloneCore.builder().start();

    @AfterAll
    static void stopCore() {
        CORE.close();
    }

    static Stream<Arguments> cases() throws IOException {
        return RealFaultLogsTest.cases();
    }

    private static DecodedLog realLog(String id) throws IOException {
        return RealFaultLogsTest.cases().filter(a -> a.get()[0].equals(id))
                .map(a -> new LogDecoder().decode((String) ((Map<?, ?>) a.get()[1]).get("log")))
                .findFirst().orElseThrow();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void withoutHandlersEveryOwedAnswerComesOnceFromTheCore(String id, Map<String, Object> testCase) {
        DecodedLog log = new LogDecoder().decode((String) testCase.get("log"));
        ReplayReport report = new Replayer(CORE.pipeline()).replay(log, ReplayOptions.defaults());

        assertThat(report.clean()).as("%s%n%s", id, report.render()).isTrue();
        assertThat(report.responses(ResponseCode.INVALID)).as(id).isEqualTo(report.awaitedResponses());
        assertThat(report.outcome(ReportOutcome.DISPATCHED) + report.outcome(ReportOutcome.DELIVERED)).as(id).isZero();
        int notReplayed = report.notReplayed().values().stream().mapToInt(Integer::intValue).sum();
        assertThat(report.replayed() + notReplayed).as(id).isEqualTo(log.faults().size());
    }

    @Test
    void aHandlerOfTheAttachedDomainAnswersTheStalls() throws IOException {
        List<String> seen = new CopyOnWriteArrayList<>();
        long id = CORE.register(group -> {
            seen.add(group.device() + " stag " + group.groupId() + " pasid " + group.pasid());
            group.respond(ResponseCode.SUCCESS);
        }, Map.of(HandlerProperties.DOMAIN, "replayed-dma"));
        try {
            ReplayReport report = new Replayer(CORE.pipeline()).replay(realLog("smmuv3-event-05"),
                    ReplayOptions.defaults().withBackendName("replay-inline")
                            .attachEveryDevice(Domain.dma("replayed-dma")));
            assertThat(report.outcomes()).containsExactly(Map.entry(ReportOutcome.DISPATCHED, 2));
            assertThat(report.responses()).containsExactly(Map.entry(ResponseCode.SUCCESS, 2));
            assertThat(report.clean()).isTrue();
            String device = report.devices().keySet().iterator().next().toString();
            assertThat(device).startsWith("platform:replay/").endsWith("/sid:0x1");
            assertThat(seen).containsExactly(device + " stag 2839 pasid 2", device + " stag 2840 pasid 2");
        } finally {
            CORE.unregister(id);
        }
    }

    @Test
    void answersAHandlerDefersToAnotherThreadAreAwaited() throws IOException {
        ExecutorService worker = Executors.newSingleThreadExecutor();
        long id = CORE.register(group -> {
            if (group.recoverable()) {
                DeferredGroup later = group.defer();
                worker.execute(() -> later.respond(ResponseCode.SUCCESS));
            }
        }, Map.of(HandlerProperties.DOMAIN, "replayed-sva", HandlerProperties.TIMEOUT_MS, 60_000L));
        try {
            ReplayReport report = new Replayer(CORE.pipeline()).replay(realLog("prq-01"),
                    ReplayOptions.defaults().withBackendName("replay-deferred")
                            .attachEveryDevice(Domain.sva("replayed-sva")).withResponseTimeout(Duration.ofMinutes(1)));
            assertThat(report.outcomes()).containsExactly(Map.entry(ReportOutcome.DISPATCHED, 1));
            assertThat(report.responses()).containsExactly(Map.entry(ResponseCode.SUCCESS, 1));
            assertThat(report.clean()).isTrue();
        } finally {
            CORE.unregister(id);
            worker.shutdown();
        }
    }
}
