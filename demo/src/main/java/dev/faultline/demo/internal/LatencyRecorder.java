package dev.faultline.demo.internal;

import dev.faultline.demo.DemoReport;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Report-to-response latencies in a fixed array (no allocation per sample); samples past capacity are dropped.
 * Nothing is recorded before {@link #start()}: the groups before it warm the path up (class loading, the JIT,
 * the first tables), which would otherwise be what the percentiles show.
 */
final class LatencyRecorder {
    private final long[] nanos;
    private final AtomicInteger count = new AtomicInteger();
    private volatile boolean recording;

    LatencyRecorder(int capacity) {
        this.nanos = new long[capacity];
    }

    /** Records from now on. */
    void start() {
        recording = true;
    }

    /** Whether samples are recorded (after {@link #start()}). */
    boolean recording() {
        return recording;
    }

    void record(long latencyNanos) {
        if (!recording) {
            return;
        }
        int i = count.getAndIncrement();
        if (i < nanos.length) {
            nanos[i] = latencyNanos;
        }
    }

    /** Percentiles of what was recorded (nearest rank). */
    DemoReport.Latency summary() {
        int n = Math.min(count.get(), nanos.length);
        if (n == 0) {
            return new DemoReport.Latency(0, 0, 0, 0);
        }
        long[] sorted = Arrays.copyOf(nanos, n);
        Arrays.sort(sorted);
        return new DemoReport.Latency(n, rank(sorted, 0.50) / 1000.0, rank(sorted, 0.99) / 1000.0,
                sorted[n - 1] / 1000.0);
    }

    private static long rank(long[] sorted, double quantile) {
        int index = (int) Math.ceil(quantile * sorted.length) - 1;
        return sorted[Math.max(0, index)];
    }
}
