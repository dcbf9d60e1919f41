package dev.faultline.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs each benchmark variant's setup and correctness check once (never timing anything), so that a broken
 * variant fails the build instead of producing a number.
 */
class VariantSetupTest {

    static Stream<Arguments> variants() {
        return Stream.of(
                variant("direct call", 2, DirectCallBenchmark.Table::new),
                variant("guava eventbus", 2, GuavaEventBusBenchmark.Bus::new),
                variant("eventadmin send, default timeout", 2, () -> send(5000)),
                variant("eventadmin send, timeout off", 2, () -> send(0)),
                variant("eventadmin post, default timeout", 1, () -> post(5000)),
                variant("eventadmin post, timeout off", 1, () -> post(0)),
                variant("disruptor round trip", 1, DisruptorBenchmark.RoundTrip::new),
                variant("disruptor pipelined", 1, DisruptorBenchmark.Pipelined::new),
                variant("faultline inline", 2, FaultlineBenchmark.Inline::new),
                variant("faultline deferred round trip", 1, () -> async(new FaultlineBenchmark.RoundTrip(), "deferred")),
                variant("faultline deferred-by-token round trip", 1,
                        () -> async(new FaultlineBenchmark.RoundTrip(), "deferred_token")),
                variant("faultline queued round trip", 1, () -> async(new FaultlineBenchmark.RoundTrip(), "queued")),
                variant("faultline deferred pipelined", 1, () -> async(new FaultlineBenchmark.Pipelined(), "deferred")),
                variant("faultline deferred-by-token pipelined", 1,
                        () -> async(new FaultlineBenchmark.Pipelined(), "deferred_token")),
                variant("faultline queued pipelined", 1, () -> async(new FaultlineBenchmark.Pipelined(), "queued")));
    }

    private static Arguments variant(String name, int maxThreads, Supplier<PathState> state) {
        return Arguments.of(name, maxThreads, state);
    }

    private static PathState send(int timeoutMs) {
        EventAdminBenchmark.Send s = new EventAdminBenchmark.Send();
        s.timeoutMs = timeoutMs;
        return s;
    }

    private static PathState post(int timeoutMs) {
        EventAdminBenchmark.Post p = new EventAdminBenchmark.Post();
        p.timeoutMs = timeoutMs;
        return p;
    }

    private static PathState async(FaultlineBenchmark.Async state, String handling) {
        state.handling = handling;
        return state;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void answersEveryFaultLikeTheDirectCall(String name, int maxThreads, Supplier<PathState> variant) throws Exception {
        for (int devices : new int[] {1, 1024}) {
            for (int threads = 1; threads <= maxThreads; threads++) {
                PathState state = variant.get();
                state.open(devices, threads);
                for (int t = 0; t < threads; t++) {
                    LaneState lane = new LaneState() { };
                    lane.claim(state);
                    for (int i = 0; i < 3 * Workload.RECORDS; i++) {
                        lane.next();
                    }
                }
                state.close();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"none", "metrics", "jmx", "paced"})
    void theInlinePathIsCheckedWhileEachScraperReadsAndTheReaderReallyReads(String scraper) throws Exception {
        FaultlineBenchmark.InlineRead state = new FaultlineBenchmark.InlineRead();
        state.scraper = scraper;
        state.open(1024, 1);
        LaneState lane = new LaneState() { };
        lane.claim(state);
        for (int i = 0; i < 3 * Workload.RECORDS; i++) {
            lane.next();
        }
        // stopReader fails unless the reader read (and produced a text or attribute values) at least once
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!state.readerHasRead() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        state.stopReader();
        state.close();
    }

    @Test
    void rejectsAPathThatRoutesEveryFaultToOneHandler() {
        Workload workload = Workload.create(1024, 1);
        DispatchPath misrouting = new SyncPath((ring, base) -> {
            int stag = StallRecord.stag(ring, base);
            workload.responses().record(stag,
                    workload.responder(0).answer(stag, StallRecord.address(ring, base), StallRecord.read(ring, base)));
        });
        assertThatThrownBy(() -> SetupCheck.verify(workload, misrouting))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("expected handler");
    }

    @Test
    void rejectsAPathThatDropsAFault() {
        Workload workload = Workload.create(1, 1);
        DirectCall direct = new DirectCall(workload);
        Sender all = direct.sender(0);
        DispatchPath droppingOne = new SyncPath((ring, base) -> {
            if (base != 17 * StallRecord.WORDS) {
                all.dispatch(ring, base);
            }
        });
        assertThatThrownBy(() -> SetupCheck.verify(workload, droppingOne))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("record 17");
    }

    @Test
    void acceptsTheDirectCallAndLeavesNoAnswerBehind() {
        Workload workload = Workload.create(1024, 2);
        SetupCheck.verify(workload, new DirectCall(workload));
        for (int stag = 0; stag < workload.responses().size(); stag++) {
            assertThat(workload.responses().code(stag)).isEqualTo(Responses.NONE);
        }
    }

    @Test
    void refusesMoreThreadsThanTheWorkloadHasSources() throws Exception {
        PathState state = new DirectCallBenchmark.Table();
        state.open(1, 1);
        new LaneState() { }.claim(state);
        assertThatThrownBy(() -> new LaneState() { }.claim(state)).isInstanceOf(IllegalStateException.class);
        state.close();
    }

    /** A synchronous path made of one sender. */
    private record SyncPath(Sender sender) implements DispatchPath {
        @Override
        public Sender sender(int source) {
            return sender;
        }

        @Override
        public void close() {
        }
    }
}
