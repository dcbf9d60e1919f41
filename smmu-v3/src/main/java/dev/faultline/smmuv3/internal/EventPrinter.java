package dev.faultline.smmuv3.internal;

import dev.faultline.core.log.RateLimiter;
import dev.faultline.platform.smmuv3.EventRecord;
import dev.faultline.platform.smmuv3.PriEntry;
import java.util.function.LongSupplier;

/**
 * Prints events as Linux 6.14+ does ({@code arm_smmu_dump_event}) with one rate limit for the
 * whole fault thread, like the function-static {@code DEFINE_RATELIMIT_STATE(rs, 5 * HZ, 10)}; lines suppressed
 * in earlier windows are reported as {@code arm_smmu_evtq_thread: N callbacks suppressed}.
 */
final class EventPrinter {
    private final String prefix;
    private final DriverLog log;
    private final RateLimiter limiter;
    private long printed;
    private long suppressed;

    EventPrinter(String prefix, DriverLog log, int burst, long intervalNanos, LongSupplier ticker) {
        this.prefix = prefix;
        this.log = log;
        this.limiter = new RateLimiter(burst, intervalNanos, ticker);
    }

    /** Prints one event record (if the rate limit allows); {@code client} null for an unassigned StreamID. */
    void event(long dw0, long dw1, long dw2, long dw3, String client) {
        if (!admit()) {
            return;
        }
        for (String line : EventRecord.decode(dw0, dw1, dw2, dw3).linuxLines(client)) {
            log.error(prefix + line);
        }
    }

    /** Prints an unexpected PRI request ({@code arm_smmu_handle_ppr}). */
    void unexpectedPri(long dw0, long dw1) {
        if (!admit()) {
            return;
        }
        for (String line : PriEntry.decode(dw0, dw1).linuxLines()) {
            log.info(prefix + line);
        }
    }

    /** Events printed and suppressed so far. */
    synchronized long[] counts() {
        return new long[] {printed, suppressed + limiter.suppressedInWindow()};
    }

    private synchronized boolean admit() {
        if (!limiter.tryAcquire()) {
            return false;
        }
        long before = limiter.takeSuppressed();
        if (before > 0) {
            suppressed += before;
            log.warn("arm_smmu_evtq_thread: " + before + " callbacks suppressed");
        }
        printed++;
        return true;
    }
}
