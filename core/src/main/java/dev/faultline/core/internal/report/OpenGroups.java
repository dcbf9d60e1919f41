package dev.faultline.core.internal.report;

import dev.faultline.api.stats.FaultCounts;
import dev.faultline.core.internal.answer.GroupFilter;
import dev.faultline.core.internal.answer.InlineSlots;
import dev.faultline.core.internal.count.Counter;
import dev.faultline.core.internal.count.Counters;
import dev.faultline.core.internal.dispatch.Handler;
import dev.faultline.core.internal.hold.ResponseLedger;
import java.util.List;

/**
 * The groups the core has not answered yet, wherever they are: in a handler call on a reporting thread's slot
 * right now, or held (deferred, queued, waiting for a replacement) in the ledger. The barrier of a change of owner
 * answers them; the statistics count them ({@code pending}, and the groups of calls in progress, which their
 * reporting thread counts when the call ends).
 */
public final class OpenGroups {
    private final InlineSlots slots;
    private final ResponseLedger ledger;

    public OpenGroups(InlineSlots slots, ResponseLedger ledger) {
        this.slots = slots;
        this.ledger = ledger;
    }

    /**
     * The barrier of a change of owner of device {@code d} (detach, attach over an attachment, removal): answers
     * INVALID, counting {@code reason}, every unanswered recoverable group of {@code d} that {@code which} selects,
     * whether a handler holds it or is being called with it; answers being sent are waited for. Returns how many
     * this call answered.
     */
    public int answerForChangeOfOwner(DeviceState d, GroupFilter which, Counter reason) {
        int[] n = {0};
        slots.forEach(s -> {
            if (s.answerForBarrier(d, which, reason)) {
                n[0]++;
            }
        });
        return n[0] + ledger.answerForChangeOfOwner(d, which, reason);
    }

    /** The counters of {@code d}, with its open groups, continuing from its previous backend instance's. */
    public FaultCounts countsOf(DeviceState d) {
        long[] live = {ledger.count(g -> g.deviceState() == d), 0, 0};
        slots.forEach(s -> {
            if (s.deviceState() != d) {
                return;
            }
            if (s.openRecoverable()) {
                live[0]++;
            }
            int owed = s.untallied();
            if (owed != DeviceState.TALLIED) {
                live[1]++;
                if (owed == DeviceState.DISPATCH_UNTALLIED) {
                    live[2]++;
                }
            }
        });
        FaultCounts own = d.counters.snapshot(live[0], live[1], live[2]);
        FaultCounts before = d.countsBefore();
        return before == null ? own : Counters.sum(List.of(before, own));
    }

    /** The counters of {@code h}, with its open groups; its reported faults are those routed to it. */
    public FaultCounts countsOf(Handler h) {
        long[] pending = {ledger.count(g -> g.handler() == h)};
        slots.forEach(s -> {
            if (s.openRecoverable() && s.handler() == h) {
                pending[0]++;
            }
        });
        FaultCounts c = h.counters.snapshot(pending[0]);
        // a handler's reported faults are those routed to it; its groups, those dispatched to it
        return c.toBuilder().reported(c.dispatched() + c.delivered()).groups(c.dispatched()).build();
    }
}
