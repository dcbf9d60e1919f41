package dev.faultline.core.internal.log;

import dev.faultline.api.fault.Pasid;
import dev.faultline.core.internal.answer.AnswerableGroup;
import dev.faultline.core.internal.configure.Settings;
import dev.faultline.core.internal.dispatch.Handler;
import dev.faultline.core.internal.hold.Handover;
import dev.faultline.core.internal.hold.Ticker;
import dev.faultline.core.internal.report.DeviceState;
import dev.faultline.core.internal.route.HandlerRegistration;
import dev.faultline.core.log.LogSink;
import dev.faultline.core.log.RateLimiter;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The host's log policy for faults. Lines about a fault are rate-limited per device (Linux's
 * {@code dev_warn_ratelimited}: a burst per interval, then "N lines suppressed"), and a fault of a
 * guest-owned (nested) attachment is never printed: the guest's vIOMMU reports it, and a guest must not be able
 * to flood the host log (the July 2023 design). Lines about handlers are rate-limited per handler.
 */
public final class HostLog {
    private final LogSink sink;
    private final Supplier<Settings> settings;
    private final Ticker ticker;

    /** Lines go to {@code sink}, rate-limited with the current {@code log.burst} and {@code log.interval.ms}. */
    public HostLog(LogSink sink, Supplier<Settings> settings, Ticker ticker) {
        this.sink = sink;
        this.settings = settings;
        this.ticker = ticker;
    }

    /** A fresh rate limiter for one device's or handler's lines, with the current settings. */
    public RateLimiter newLimiter() {
        Settings s = settings.get();
        return new RateLimiter(s.logBurst(), s.logIntervalNanos(), ticker::nanoTime);
    }

    /** A fault nobody serves. */
    public void unhandled(DeviceState device, AnswerableGroup group) {
        if (device.guestOwned(group.pasid()) || device.iommu().backend().printsUnhandledFaults()
                || !admit(device.logLimiter(), device.id())) {
            return;
        }
        StringBuilder line = new StringBuilder(device.id().toString()).append(": ");
        if (group.recoverable()) {
            line.append("unhandled page request group 0x").append(Integer.toHexString(group.groupId()))
                    .append(" (").append(group.size()).append(" request(s))");
        } else {
            line.append("unhandled unrecoverable fault");
        }
        line.append(" pasid ").append(Pasid.format(group.pasid()));
        if (group.addressValid()) {
            line.append(" addr 0x").append(Long.toHexString(group.address(group.size() - 1)));
        }
        line.append(" perm ").append(group.permissions(group.size() - 1));
        if (group.fetchAddressValid()) {
            line.append(" fetch 0x").append(Long.toHexString(group.fetchAddress()));
        }
        sink.warn(line.append(group.recoverable() ? ": answered INVALID" : "").toString());
    }

    /** A report the core could not take (malformed, or its device is gone). */
    public void rejected(DeviceState device, int pasid, String why) {
        if (device.guestOwned(pasid) || !admit(device.logLimiter(), device.id())) {
            return;
        }
        sink.warn(device.id() + ": fault rejected: " + why);
    }

    /** A partial page request dropped at a bound. */
    public void partialDropped(DeviceState device, int pasid, int groupId, String bound) {
        if (device.guestOwned(pasid) || !admit(device.logLimiter(), device.id())) {
            return;
        }
        sink.warn(device.id() + ": partial page request of group 0x" + Integer.toHexString(groupId)
                + " dropped: " + bound + " reached");
    }

    /** A partial page request parked under a group index another PASID of the device already uses. */
    public void mixedPasid(DeviceState device, int pasid, int groupId) {
        if (device.guestOwned(pasid) || !admit(device.logLimiter(), device.id())) {
            return;
        }
        sink.warn(device.id() + ": page requests of two PASIDs use group 0x" + Integer.toHexString(groupId)
                + " (pasid " + Pasid.format(pasid) + " kept apart)");
    }

    /** A handler threw; {@code guest} hides which fault it was. */
    public void handlerFailed(Handler handler, AnswerableGroup group, Throwable error, boolean guest) {
        if (!admit(handler.errorLog, handler)) {
            return;
        }
        String what = guest ? "a guest-owned fault" : group.toString();
        sink.error("handler " + handler.describe() + " threw on " + what
                + (group.recoverable() ? "; answered FAILURE unless already answered" : ""), error);
    }

    /** A handler was quarantined. */
    public void quarantined(Handler handler) {
        sink.error("handler " + handler.describe() + " quarantined: " + handler.reason()
                + "; its faults are routed as if it were not registered", null);
    }

    /** A quarantined handler was released, after its back-off (on probation) or by hand. */
    public void released(Handler handler, boolean onProbation) {
        sink.warn("handler " + handler.describe() + " released from quarantine"
                + (onProbation ? " on probation (one more failure quarantines it again, for twice as long)" : " by hand"));
    }

    /** An inline handler call is blocking the reporting thread. */
    public void slowCall(Handler handler, long runningNanos) {
        if (admit(handler.errorLog, handler)) {
            sink.warn("inline handler " + handler.describe() + " has been running " + runningNanos / 1_000_000
                    + " ms on a fault thread; inline handlers must not block (use faultline.dispatch=queued)");
        }
    }

    /** An inline call ran past its deadline: its group was answered on its behalf. */
    public void inlineDeadline(Handler handler, DeviceState device, long runningNanos) {
        if (admit(handler.errorLog, handler)) {
            sink.warn("inline handler " + handler.describe() + " still running after " + runningNanos / 1_000_000
                    + " ms, past its deadline: " + device.id() + " answered on its behalf; its own answer will be"
                    + " refused");
        }
    }

    /** A backend threw from sendPageResponse, or was already disconnected. */
    public void responseLost(DeviceState device, String why, @Nullable Throwable error) {
        if (admit(device.logLimiter(), device.id())) {
            sink.error(device.id() + ": page response lost: " + why, error);
        }
    }

    /** A backend threw from a notification (it must not). */
    public void backendFailed(DeviceState device, String call, RuntimeException error) {
        if (admit(device.logLimiter(), device.id())) {
            sink.error(device.iommu().name() + ": backend threw from " + call, error);
        }
    }

    /** A group found the hand-over of a departed handler's target full. */
    public void handoverFull(DeviceState device, Handler stand, int capacity) {
        if (admit(stand.errorLog, stand)) {
            sink.warn(device.id() + ": " + stand.registration().name() + ": handover.capacity (" + capacity
                    + ") reached; the group is answered INVALID as unhandled");
        }
    }

    /**
     * A group escaped its reporting thread while all {@code capacity} held-group slots of that thread held groups:
     * it is held in a one-off copy instead (counted; answered like any other).
     */
    public void heldSlotsFull(Handler handler, String thread, int capacity) {
        if (handler != null && admit(handler.errorLog, handler)) {
            sink.warn(handler.registration().name() + ": all " + capacity + " held-group slots of reporting thread "
                    + thread + " hold unanswered groups; this group is held in a copy of its own");
        }
    }

    /** No replacement came for a departed handler's target within the hand-over window. */
    public void handoverExpired(Handover handover, int groups) {
        sink.warn(handover.target() + ": no handler replaced " + handover.departed() + " within handover.window.ms; "
                + groups
                + " waiting group(s) answered INVALID (counted as timed out)");
    }

    /** A handler registration was refused (it receives nothing). */
    public void refused(Handler handler) {
        sink.error("handler " + handler.describe() + " REFUSED: " + handler.reason(), null);
    }

    /** A refused registration was admitted after all (the owner's claim lapsed). */
    public void admitted(Handler handler) {
        sink.warn("handler " + handler.describe() + " admitted: its targets are no longer owned by another bundle");
    }

    /** A handler registration property change that cannot apply. */
    public void registrationProblem(HandlerRegistration r, String problem) {
        sink.warn("handler " + r.name() + " (bundle " + r.bundle() + "): " + problem);
    }

    /** A configuration value replaced by its default. */
    public void configurationProblem(String problem) {
        sink.error(problem, null);
    }

    /** Whether a line may be printed now; if so, first says how many were suppressed before it. */
    private boolean admit(RateLimiter limiter, Object source) {
        if (!limiter.tryAcquire()) {
            return false;
        }
        long n = limiter.takeSuppressed();
        if (n > 0) {
            sink.warn(source + ": " + n + " lines suppressed");
        }
        return true;
    }
}
