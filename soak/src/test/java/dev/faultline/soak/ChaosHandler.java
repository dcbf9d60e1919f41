package dev.faultline.soak;

import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.DeferredGroup;
import dev.faultline.api.handler.FaultGroup;
import dev.faultline.api.handler.FaultHandler;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;

/**
 * The soak's handler of one domain: does with each group what its page address says ({@link HandlerAct}),
 * including throwing, abandoning, answering twice, deferring and hanging. For a stalling master it maps the page
 * before answering SUCCESS, so the retried access completes. A throw storm makes its next calls all throw, until
 * the core quarantines it.
 */
final class ChaosHandler implements FaultHandler {
    final String domain;
    private final LongConsumer pageIn;
    private final Executor later;
    private final long hangMillis;
    private final Semaphore never = new Semaphore(0);
    private final AtomicInteger stormLeft = new AtomicInteger();
    private final LongAdder unrecoverable = new LongAdder();
    private final LongAdder secondAnswersAccepted = new LongAdder();

    /**
     * A handler of {@code domain}.
     *
     * @param pageIn maps the page of an address, or null when there is nothing to map (page requests)
     * @param later runs deferred answers
     * @param hangMillis how long a hang blocks the calling thread (queued handlers); 0 for a hang by deferring
     */
    ChaosHandler(String domain, LongConsumer pageIn, Executor later, long hangMillis) {
        this.domain = domain;
        this.pageIn = pageIn;
        this.later = later;
        this.hangMillis = hangMillis;
    }

    @Override
    public void handle(FaultGroup group) {
        if (!group.recoverable()) {
            unrecoverable.increment();
            return;
        }
        if (stormLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new IllegalStateException(domain + ": throw storm");
        }
        long address = group.address(group.size() - 1);
        switch (HandlerAct.of(address)) {
            case SUCCESS -> {
                pageIn(address);
                group.respond(ResponseCode.SUCCESS);
            }
            case INVALID -> group.respond(ResponseCode.INVALID);
            case FAILURE -> group.respond(ResponseCode.FAILURE);
            case THROW -> throw new IllegalStateException(domain + ": injected handler failure");
            case ABANDON -> {
                // neither answers nor defers: the core answers INVALID
            }
            case ANSWER_TWICE -> {
                pageIn(address);
                group.respond(ResponseCode.SUCCESS);
                if (group.respond(ResponseCode.INVALID)) {
                    secondAnswersAccepted.increment();
                }
            }
            case DEFER -> {
                pageIn(address);
                DeferredGroup deferred = group.defer();
                later.execute(() -> deferred.respond(ResponseCode.SUCCESS));
            }
            case HANG -> hang(group);
        }
    }

    private void hang(FaultGroup group) {
        if (hangMillis == 0) {
            group.defer(); // and never answered
            return;
        }
        try {
            // a queued handler stuck past its deadline; the core answers and the queue fills meanwhile
            if (never.tryAcquire(hangMillis, TimeUnit.MILLISECONDS)) {
                never.release();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void pageIn(long address) {
        if (pageIn != null) {
            pageIn.accept(address & ~0xfffL);
        }
    }

    /** Makes the next {@code calls} calls throw. */
    void storm(int calls) {
        stormLeft.set(calls);
    }

    /** Ends every hang now and from now on (at shutdown). */
    void wake() {
        never.release(Integer.MAX_VALUE / 2);
    }

    /** Unrecoverable faults delivered. */
    long unrecoverable() {
        return unrecoverable.sum();
    }

    /** Second answers the core accepted (must stay 0). */
    long secondAnswersAccepted() {
        return secondAnswersAccepted.sum();
    }
}
