package dev.faultline.core.internal.dispatch;

import dev.faultline.core.internal.configure.HandlerPolicy;
import dev.faultline.core.internal.configure.Settings;
import dev.faultline.core.internal.hold.Ticker;
import dev.faultline.core.internal.log.HostLog;
import dev.faultline.core.internal.route.HandlerIndex;
import java.util.function.Supplier;

/**
 * Quarantine: a handler that keeps failing (throwing calls, inline calls blocking past {@code inline.block.ms},
 * groups answered at their deadline) is routed around for a back-off, then released on probation.
 */
public final class Quarantine {
    private final Supplier<Settings> settings;
    private final Supplier<HandlerPolicy> policy;
    private final Ticker ticker;
    private final HandlerIndex index;
    private final HostLog log;

    public Quarantine(Supplier<Settings> settings, Supplier<HandlerPolicy> policy, Ticker ticker, HandlerIndex index,
            HostLog log) {
        this.settings = settings;
        this.policy = policy;
        this.ticker = ticker;
        this.index = index;
        this.log = log;
    }

    /**
     * Counts a failure of {@code kind} toward quarantine: its threshold in a row (each kind configurable), or any one
     * on probation, quarantines the handler for its back-off.
     */
    public void failed(Handler h, Handler.Failure kind) {
        if (h == null || h.handover != null) {
            return;
        }
        int n = h.failed(kind);
        HandlerPolicy p = policy.get();
        int common = settings.get().quarantineAfter();
        int limit = HandlerPolicy.limit(switch (kind) {
            case THROW -> p.quarantineThrows();
            case BLOCK -> p.quarantineBlocks();
            case TIMEOUT -> p.quarantineTimeouts();
        }, common);
        boolean probation = h.onProbation();
        if ((probation || limit > 0 && n >= limit) && h.quarantine(probation ? "failed again on probation ("
                + kind.what + ")" : n + " consecutive " + kind.what, ticker.nanoTime(), p.backoffNanos())) {
            index.refresh();
            log.quarantined(h);
        }
    }

    /** Releases the quarantined handlers whose back-off is over, on probation (watchdog thread). */
    public void releaseAfterBackoff(Iterable<Handler> handlers, long now) {
        boolean released = false;
        for (Handler h : handlers) {
            if (h.backoffOver(now) && h.release(true)) {
                log.released(h, true);
                released = true;
            }
        }
        if (released) {
            index.refresh();
        }
    }
}
