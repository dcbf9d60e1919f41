package dev.faultline.core.internal.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.internal.hold.Ticker;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReportClockTest {
    private final Thread reporter = Thread.currentThread();
    private final AtomicLong readsByReporter = new AtomicLong();
    private final Ticker counting = () -> {
        if (Thread.currentThread() == reporter) {
            readsByReporter.incrementAndGet();
        }
        return System.nanoTime();
    };
    private ReportClock clock;

    @AfterEach
    void stop() {
        if (clock != null) {
            clock.stop();
        }
    }

    @Test
    void withoutItsThreadEveryReportReadsTheTicker() {
        clock = new ReportClock(() -> 42L, false);

        assertThat(clock.stamp()).isEqualTo(42L);
        assertThat(clock.precise()).isTrue();
    }

    @Test
    void aTickingClockSparesTheReportsTheClockRead() {
        clock = new ReportClock(counting, false);
        clock.start();

        long before = System.nanoTime();
        long first = clock.stamp();
        for (int i = 0; i < 10_000; i++) {
            long stamp = clock.stamp();
            assertThat(stamp).isGreaterThanOrEqualTo(first);
        }
        long last = clock.stamp();
        long after = System.nanoTime();

        assertThat(readsByReporter).hasValue(1);
        assertThat(first).isGreaterThanOrEqualTo(before);
        assertThat(last).isLessThanOrEqualTo(after);
    }

    @Test
    void anIdleClockParksAndTheNextReportReadsTheRealTimeAndWakesIt() throws InterruptedException {
        clock = new ReportClock(counting, false);
        clock.start();
        clock.stamp();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!clock.asleep() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(clock.asleep()).as("parked after %d idle ticks", ReportClock.IDLE_TICKS).isTrue();

        long before = System.nanoTime();
        long stamp = clock.stamp();

        assertThat(stamp).isGreaterThanOrEqualTo(before);
        assertThat(readsByReporter).hasValue(2);
        assertThat(clock.asleep()).isFalse();
    }

    @Test
    void preciseTimestampsReadTheTickerForEveryReport() {
        clock = new ReportClock(counting, false);
        clock.start();
        clock.setPrecise(true);

        for (int i = 0; i < 100; i++) {
            clock.stamp();
        }

        assertThat(readsByReporter).hasValue(100);
    }

    @Test
    void aStoppedClockFallsBackToTheTicker() {
        clock = new ReportClock(counting, false);
        clock.start();
        clock.stamp();
        clock.stop();

        clock.stamp();
        clock.stamp();

        assertThat(readsByReporter).hasValue(3);
    }
}
