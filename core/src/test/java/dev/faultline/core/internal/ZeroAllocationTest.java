package dev.faultline.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.Domain;
import dev.faultline.api.backend.IommuBackend;
import dev.faultline.api.backend.PageResponse;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.DeferredGroup;
import dev.faultline.api.handler.DeferredTokens;
import dev.faultline.api.handler.FaultGroup;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.core.internal.configure.Settings;
import dev.faultline.core.internal.hold.Ticker;
import dev.faultline.core.log.LogSink;
import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The synchronous path (last-page request, inline handler answering at once) allocates nothing per fault; nor does
 * the queued path in steady state; a group deferred by token allocates nothing, one deferred as an object only the
 * handle its handler keeps.
 */
class ZeroAllocationTest {
    private static final int FAULTS = 20_000;

    /** Counts responses without keeping them. */
    private static final class CountingBackend implements IommuBackend {
        volatile long sent;
        long sum;

        @Override
        public String name() {
            return "counting";
        }

        @Override
        public void sendPageResponse(DeviceId device, PageResponse response) {
            sum += response.groupId() + response.code().value();
            sent++;
        }
    }

    @Test
    void aLastPageRequestAnsweredInlineAllocatesNothing() {
        var threads = ManagementFactory.getThreadMXBean();
        assumeTrue(threads instanceof com.sun.management.ThreadMXBean t && t.isThreadAllocatedMemorySupported(),
                "per-thread allocation counters unavailable");
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) threads;
        mx.setThreadAllocatedMemoryEnabled(true);

        Core p = new Core(Settings.DEFAULTS, Ticker.SYSTEM, LogSink.NONE, false);
        try {
            CountingBackend backend = new CountingBackend();
            DevicePort d = p.connect(backend).addDevice(DeviceId.parse("0000:00:03.0"));
            d.attach(Pasid.NONE, Domain.dma("dom"));
            d.attach(7, Domain.sva("proc"));
            p.addHandler(g -> g.respond(ResponseCode.SUCCESS), Map.of("service.id", 1L, HandlerProperties.DOMAIN,
                    new String[] {"dom", "proc"}), "b");

            report(d, FAULTS);
            long threadId = Thread.currentThread().getId();
            long before = mx.getThreadAllocatedBytes(threadId);
            report(d, FAULTS);
            long allocated = mx.getThreadAllocatedBytes(threadId) - before;

            assertThat(backend.sent).isEqualTo(4L * FAULTS);
            assertThat(allocated).as("bytes allocated for %d faults", 2 * FAULTS).isLessThan(2 * FAULTS / 8);
        } finally {
            p.close();
        }
    }

    /**
     * The size of the one object a deferred group allocates: the handle its handler keeps (slot, generation, and the
     * values a handler may read after the answer), 48 bytes with compressed references.
     */
    private static final long HANDLE_BYTES = 48;

    /** Keeps the handles of deferred groups in a preallocated ring, the oldest answered first. */
    private static final class DeferringHandler implements AnswersLater {
        final DeferredGroup[] kept = new DeferredGroup[64];
        long deferred;
        long answered;

        @Override
        public void handle(FaultGroup group) {
            kept[(int) (deferred++ % kept.length)] = group.defer();
        }

        /** Reads the last fault of each kept group in place. */
        long read;

        /** Answers the kept groups until at most {@code inFlight} are left, each after reading its last fault in place. */
        @Override
        public void answerDownTo(int inFlight) {
            while (deferred - answered > inFlight) {
                int i = (int) (answered++ % kept.length);
                int last = kept[i].size() - 1;
                read += kept[i].address(last) + (kept[i].permissions(last).write() ? 1 : 0);
                kept[i].respond(ResponseCode.SUCCESS);
                kept[i] = null;
            }
        }
    }

    @Test
    void aDeferredGroupAllocatesOnlyTheHandleItsHandlerKeeps() {
        com.sun.management.ThreadMXBean mx = allocationCounters();
        Core p = new Core(Settings.DEFAULTS, Ticker.SYSTEM, LogSink.NONE, false);
        try {
            CountingBackend backend = new CountingBackend();
            DeferringHandler handler = new DeferringHandler();
            DevicePort d = deviceServedBy(p, backend, handler, Map.of());

            reportDeferred(d, handler, FAULTS);
            long threadId = Thread.currentThread().getId();
            long before = mx.getThreadAllocatedBytes(threadId);
            reportDeferred(d, handler, FAULTS);
            long allocated = mx.getThreadAllocatedBytes(threadId) - before;
            handler.answerDownTo(0);

            assertThat(backend.sent).isEqualTo(2L * FAULTS);
            assertThat(handler.read).as("in-place reads of the deferred groups' addresses").isPositive();
            assertThat(p.heldOneOffCopies()).isZero();
            assertThat(allocated).as("bytes allocated for %d deferred groups", FAULTS)
                    .isLessThan(FAULTS * HANDLE_BYTES + FAULTS / 8);
        } finally {
            p.close();
        }
    }

    /** A handler that defers every group and answers the oldest ones later, from the test's thread. */
    private interface AnswersLater extends FaultHandler {
        /** Answers the kept groups until at most {@code inFlight} are left. */
        void answerDownTo(int inFlight);
    }

    /** Reports {@code n} groups, each deferred; up to 32 stay in flight (the oldest answered first). */
    private static void reportDeferred(DevicePort d, AnswersLater handler, int n) {
        for (int i = 0; i < n; i++) {
            d.reportPageRequest(Pasid.NONE, i & 0x1ff, PageRequest.FLAG_LAST_PAGE, Permissions.READ, 0x1000L * i, 0, 0);
            handler.answerDownTo(32);
        }
    }

    /** Keeps the tokens of deferred groups in a preallocated ring of longs, the oldest answered first. */
    private static final class TokenHandler implements AnswersLater {
        final long[] kept = new long[64];
        DeferredTokens tokens;
        long deferred;
        long answered;
        long read;

        @Override
        public void handle(FaultGroup group) {
            if (tokens == null) {
                tokens = group.tokens();
            }
            kept[(int) (deferred++ % kept.length)] = group.deferToken();
        }

        /** Answers the kept groups until at most {@code inFlight} are left, each after reading its last fault. */
        @Override
        public void answerDownTo(int inFlight) {
            while (deferred - answered > inFlight) {
                long token = kept[(int) (answered++ % kept.length)];
                int last = tokens.size(token) - 1;
                read += tokens.address(token, last) + (tokens.permissions(token, last).write() ? 1 : 0);
                tokens.respond(token, ResponseCode.SUCCESS);
            }
        }
    }

    @Test
    void aGroupDeferredByTokenAllocatesNothing() {
        com.sun.management.ThreadMXBean mx = allocationCounters();
        Core p = new Core(Settings.DEFAULTS, Ticker.SYSTEM, LogSink.NONE, false);
        try {
            CountingBackend backend = new CountingBackend();
            TokenHandler handler = new TokenHandler();
            DevicePort d = deviceServedBy(p, backend, handler, Map.of());

            reportDeferred(d, handler, FAULTS);
            long threadId = Thread.currentThread().getId();
            long before = mx.getThreadAllocatedBytes(threadId);
            reportDeferred(d, handler, FAULTS);
            long allocated = mx.getThreadAllocatedBytes(threadId) - before;
            handler.answerDownTo(0);

            assertThat(backend.sent).isEqualTo(2L * FAULTS);
            assertThat(handler.read).as("in-place reads of the deferred groups' addresses").isPositive();
            assertThat(p.heldOneOffCopies()).isZero();
            assertThat(allocated).as("bytes allocated for %d groups deferred by token", FAULTS).isLessThan(FAULTS / 8);
        } finally {
            p.close();
        }
    }

    /** A queued handler answering in its call; remembers the thread that calls it. */
    private static final class QueuedHandler implements FaultHandler {
        volatile Thread thread;

        @Override
        public void handle(FaultGroup group) {
            if (thread == null) {
                thread = Thread.currentThread();
            }
            group.respond(ResponseCode.SUCCESS);
        }
    }

    @Test
    void aQueuedGroupAllocatesNothingOnEitherThread() {
        com.sun.management.ThreadMXBean mx = allocationCounters();
        Core p = new Core(Settings.DEFAULTS, Ticker.SYSTEM, LogSink.NONE, false);
        try {
            CountingBackend backend = new CountingBackend();
            QueuedHandler handler = new QueuedHandler();
            DevicePort d = deviceServedBy(p, backend, handler,
                    Map.of(HandlerProperties.DISPATCH, HandlerProperties.DISPATCH_QUEUED));

            reportQueued(d, backend, FAULTS);
            long reporter = Thread.currentThread().getId();
            long server = handler.thread.getId();
            long before = mx.getThreadAllocatedBytes(reporter) + mx.getThreadAllocatedBytes(server);
            reportQueued(d, backend, FAULTS);
            long allocated = mx.getThreadAllocatedBytes(reporter) + mx.getThreadAllocatedBytes(server) - before;

            assertThat(backend.sent).isEqualTo(2L * FAULTS);
            assertThat(allocated).as("bytes allocated for %d queued groups", FAULTS).isLessThan(FAULTS / 8);
        } finally {
            p.close();
        }
    }

    /** Reports {@code n} groups to a queued handler, up to 16 in flight (within the queue's depth). */
    private static void reportQueued(DevicePort d, CountingBackend backend, int n) {
        long base = backend.sent;
        for (int i = 0; i < n; i++) {
            while (i - (backend.sent - base) >= 16) {
                Thread.onSpinWait();
            }
            d.reportPageRequest(Pasid.NONE, i & 0x1ff, PageRequest.FLAG_LAST_PAGE, Permissions.READ, 0x1000L * i, 0, 0);
        }
        while (backend.sent - base < n) {
            Thread.onSpinWait();
        }
    }

    /** A device of {@code backend}'s IOMMU attached to domain "dom", which {@code handler} serves. */
    private static DevicePort deviceServedBy(Core p, CountingBackend backend, FaultHandler handler,
            Map<String, Object> properties) {
        DevicePort d = p.connect(backend).addDevice(DeviceId.parse("0000:00:03.0"));
        d.attach(Pasid.NONE, Domain.dma("dom"));
        Map<String, Object> all = new HashMap<>(properties);
        all.put("service.id", 1L);
        all.put(HandlerProperties.DOMAIN, "dom");
        p.addHandler(handler, all, "b");
        return d;
    }

    private static com.sun.management.ThreadMXBean allocationCounters() {
        var threads = ManagementFactory.getThreadMXBean();
        assumeTrue(threads instanceof com.sun.management.ThreadMXBean t && t.isThreadAllocatedMemorySupported(),
                "per-thread allocation counters unavailable");
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) threads;
        mx.setThreadAllocatedMemoryEnabled(true);
        return mx;
    }

    private static void report(DevicePort d, int n) {
        int pasidFlags = PageRequest.FLAG_LAST_PAGE | PageRequest.FLAG_PASID_VALID;
        for (int i = 0; i < n; i++) {
            d.reportPageRequest(Pasid.NONE, i & 0x1ff, PageRequest.FLAG_LAST_PAGE, Permissions.READ, 0x1000L * i, 0, 0);
            d.reportPageRequest(7, i & 0x1ff, pasidFlags, Permissions.WRITE, 0x2000L * i, i, 0);
        }
    }
}
