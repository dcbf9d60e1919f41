package dev.faultline.vtd.internal;

import dev.faultline.core.log.LogSink;
import dev.faultline.core.log.RateLimiter;
import dev.faultline.platform.vtd.FaultRecord;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The backend's kernel-format lines, rate-limited as Linux limits them: unhandled DMA-remapping faults share
 * one limit as {@code dmar_fault}'s static ratelimit does (Linux {@code intel/dmar.c}); the PRQ lines of
 * {@code intel/prq.c} (§3.7) have one limit per call site, as {@code pr_info_ratelimited} does. When a new
 * window opens after suppressions the first line is preceded by Linux's {@code "<func>: N callbacks
 * suppressed"}.
 *
 * <p>One deviation: Linux prints bad page requests with plain {@code pr_err}; here they are rate-limited too,
 * so a device cannot flood the host log with them. Thread-safe.
 */
final class DmarLog {
    private final LogSink sink;
    private final RateLimiter faults;
    private final RateLimiter badRequests;
    private final RateLimiter overflowDetected;
    private final RateLimiter overflowCleared;
    private final RateLimiter queueErrors;
    private final int burst;
    private final long intervalNanos;
    private final LongSupplier ticker;
    /** One limit per guest for the host-owned faults of its devices; as many as guests ever attached. */
    private final Map<String, RateLimiter> guestLimits = new ConcurrentHashMap<>();

    DmarLog(LogSink sink, int burst, long intervalNanos, LongSupplier ticker) {
        this.sink = sink;
        this.burst = burst;
        this.intervalNanos = intervalNanos;
        this.ticker = ticker;
        this.faults = new RateLimiter(burst, intervalNanos, ticker);
        this.badRequests = new RateLimiter(burst, intervalNanos, ticker);
        this.overflowDetected = new RateLimiter(burst, intervalNanos, ticker);
        this.overflowCleared = new RateLimiter(burst, intervalNanos, ticker);
        this.queueErrors = new RateLimiter(burst, intervalNanos, ticker);
    }

    /**
     * An unhandled fault record, as {@code dmar_fault_do_one} prints it, e.g.
     * {@code DMAR: [DMA Read NO_PASID] Request device [00:02.0] fault addr 0x1000 [fault reason 0x71] ...}.
     *
     * @return whether the line was printed (not rate-limited)
     */
    boolean fault(long low, long high) {
        if (!admit(faults, "dmar_fault")) {
            return false;
        }
        sink.error(FaultRecord.LOG_PREFIX + FaultRecord.decode(low, high).message());
        return true;
    }

    /**
     * A host-owned fault of a guest's device, printed as {@link #fault} but under a limit of its own per guest
     * (Linux shares one limit among all units and guests; here a guest can use up only its own).
     *
     * @return whether the line was printed
     */
    boolean guestFault(String guest, long low, long high) {
        RateLimiter limiter = guestLimits.get(guest);
        if (limiter == null) {
            limiter = guestLimits.computeIfAbsent(guest, g -> new RateLimiter(burst, intervalNanos, ticker));
        }
        if (!admit(limiter, "dmar_fault")) {
            return false;
        }
        sink.error(FaultRecord.LOG_PREFIX + FaultRecord.decode(low, high).message());
        return true;
    }

    /**
     * A page request {@code prq_event_thread} rejects: the reason line (none for an unknown requester) and
     * {@code handle_bad_prq_event}'s dump of the descriptor's first two qwords.
     */
    void badPageRequest(String unit, String reason, long qw0, long qw1) {
        if (!admit(badRequests, "prq_event_thread")) {
            return;
        }
        if (reason != null) {
            sink.error("IOMMU: " + unit + ": " + reason);
        }
        sink.error(String.format("%s: Invalid page request: %08x %08x", unit, qw0, qw1));
    }

    /** {@code IOMMU: dmar0: PRQ overflow detected}. */
    void overflowDetected(String unit) {
        if (admit(overflowDetected, "prq_event_thread")) {
            sink.info("IOMMU: " + unit + ": PRQ overflow detected");
        }
    }

    /** {@code IOMMU: dmar0: PRQ overflow cleared} (the kernel's string has no newline either). */
    void overflowCleared(String unit) {
        if (admit(overflowCleared, "prq_event_thread")) {
            sink.info("IOMMU: " + unit + ": PRQ overflow cleared");
        }
    }

    /** {@code qi_check_fault}'s line for a descriptor the unit rejected. */
    void invalidDescriptor(long low, long high) {
        if (admit(queueErrors, "qi_check_fault")) {
            sink.error(String.format("%sVT-d detected invalid descriptor: low=%x, high=%x", FaultRecord.LOG_PREFIX,
                    low, high));
        }
    }

    /** A line of the backend's own (not a kernel format), not rate-limited: rare configuration events. */
    void notice(String line) {
        sink.info(line);
    }

    /** A backend error of its own, rate-limited with the queue errors. */
    void problem(String line) {
        if (admit(queueErrors, "dmar")) {
            sink.error(line);
        }
    }

    private boolean admit(RateLimiter limiter, String function) {
        return limiter.tryAcquire(sink, function);
    }
}
