package dev.faultline.core.internal;

import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.DeferredGroup;
import dev.faultline.api.handler.FaultGroup;
import dev.faultline.api.handler.FaultHandler;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Test handlers, named for how they behave (and misbehave). */
final class Handlers {
    private Handlers() {
    }

    /** Answers every group at once with one code and remembers what it saw. */
    static final class Answering implements FaultHandler {
        final ResponseCode code;
        final List<String> seen = new CopyOnWriteArrayList<>();
        final List<Boolean> answers = new CopyOnWriteArrayList<>();

        Answering(ResponseCode code) {
            this.code = code;
        }

        @Override
        public void handle(FaultGroup group) {
            StringBuilder sb = new StringBuilder(group.recoverable() ? "group " + group.groupId() : "unrecoverable")
                    .append(" pasid ").append(group.pasid()).append(" addrs");
            for (int i = 0; i < group.size(); i++) {
                sb.append(' ').append(Long.toHexString(group.address(i)));
            }
            seen.add(sb.toString());
            answers.add(group.respond(code));
        }
    }

    /** Throws from every call. */
    static final class Throwing implements FaultHandler {
        @Override
        public void handle(FaultGroup group) {
            throw new IllegalStateException("handler bug");
        }
    }

    /** Answers, then throws. */
    static final class AnswersThenThrows implements FaultHandler {
        @Override
        public void handle(FaultGroup group) {
            group.respond(ResponseCode.SUCCESS);
            throw new IllegalStateException("late bug");
        }
    }

    /** Returns without answering or deferring. */
    static final class NeverAnswers implements FaultHandler {
        @Override
        public void handle(FaultGroup group) {
        }
    }

    /** Answers twice. */
    static final class AnswersTwice implements FaultHandler {
        final List<Boolean> results = new CopyOnWriteArrayList<>();

        @Override
        public void handle(FaultGroup group) {
            results.add(group.respond(ResponseCode.SUCCESS));
            results.add(group.respond(ResponseCode.INVALID));
        }
    }

    /** Defers every group and keeps the handles. */
    static final class Deferring implements FaultHandler {
        final List<DeferredGroup> held = new CopyOnWriteArrayList<>();

        @Override
        public void handle(FaultGroup group) {
            held.add(group.defer());
        }
    }

    /** Blocks in every call until released, counting calls that started. */
    static final class Blocking implements FaultHandler {
        final CountDownLatch entered;
        final CountDownLatch release = new CountDownLatch(1);

        Blocking(int calls) {
            entered = new CountDownLatch(calls);
        }

        @Override
        public void handle(FaultGroup group) {
            entered.countDown();
            try {
                if (!release.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("never released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            group.respond(ResponseCode.SUCCESS);
        }
    }
}
