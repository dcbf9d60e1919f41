package dev.faultline.smmuv3.internal;

import dev.faultline.core.log.LogSink;
import dev.faultline.core.log.RateLimiter;
import dev.faultline.platform.smmuv3.EventRecord;
import dev.faultline.platform.smmuv3.PriEntry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Prints events as Linux 6.14+ does ({@code arm_smmu_dump_event}) with one rate limit for the
 * whole fault thread, like the function-static {@code DEFINE_RATELIMIT_STATE(rs, 5 * HZ, 10)}; lines suppressed
 * in earlier windows are reported as {@code arm_smmu_evtq_thread: N callbacks suppressed}. The host-owned events
 * of a guest's streams have one limit per guest instead ({@link #guestEvent}).
 */
final class EventPrinter {
    private final String prefix;
    private final LogSink log;
    private final RateLimiter limiter;
    private final int burst;
    private final long intervalNanos;
    private final LongSupplier ticker;
    /** One limit per guest for the host-owned events of its streams; as many as guests ever attached. */
    private final Map<String, RateLimiter> guestLimits = new ConcurrentHashMap<>();
    private long printed;
    /** Events not printed, under the SMMU's limit or a guest's. */
    private long suppressed;

    EventPrinter(String prefix, LogSink log, int burst, long intervalNanos, LongSupplier ticker) {
        this.prefix = prefix;
        this.log = log;
        this.burst = burst;
        this.intervalNanos = intervalNanos;
        this.ticker = ticker;
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

    /**
     * Prints a host-owned event of a guest's stream (stage 2, fetches, configuration) under {@code guest}'s own
     * rate limit, so one guest cannot use up the lines of the SMMU's other devices or of other guests.
     */
    void guestEvent(String guest, long dw0, long dw1, long dw2, long dw3, String client) {
        RateLimiter own = guestLimits.get(guest);
        if (own == null) {
            own = guestLimits.computeIfAbsent(guest, g -> new RateLimiter(burst, intervalNanos, ticker));
        }
        if (!admit(own)) {
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
        return new long[] {printed, suppressed};
    }

    private boolean admit() {
        return admit(limiter);
    }

    private synchronized boolean admit(RateLimiter limiter) {
        if (!limiter.tryAcquire(log, "arm_smmu_evtq_thread")) {
            suppressed++;
            return false;
        }
        printed++;
        return true;
    }
}
