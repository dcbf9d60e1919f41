package dev.faultline.core.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.Domain;
import dev.faultline.api.backend.IommuBackend;
import dev.faultline.api.backend.PageResponse;
import dev.faultline.api.backend.ReportOutcome;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.fault.StreamId;
import dev.faultline.api.handler.HandlerProperties;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** The core driven by its caller: its time is the caller's clock, and only the caller's steps move it. */
class SteppedCoreTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final List<String> responses = new ArrayList<>();
    private final List<Object> queues = new ArrayList<>();
    private final List<BooleanSupplier> served = new ArrayList<>();
    private final IommuBackend backend = new IommuBackend() {
        @Override
        public String name() {
            return "smmu0";
        }

        @Override
        public void sendPageResponse(DeviceId device, PageResponse r) {
            responses.add(device + " grp " + r.groupId() + " " + r.code());
        }
    };

    private SteppedCore core() {
        return StandaloneCore.builder().defaultTimeoutMillis(50).stepped(now::get, (queue, serveOldest) -> {
            queues.add(queue);
            served.add(serveOldest);
        });
    }

    private DevicePort device(SteppedCore core, int sid, String domain) {
        DevicePort dev = core.pipeline().connect(backend).addDevice(new StreamId(sid));
        dev.attach(Pasid.NONE, Domain.dma(domain));
        return dev;
    }

    @Test
    void aDeferredGroupIsAnsweredAtItsDeadlineOnTheCallersClockWhenTheCallerExpiresDeadlines() {
        try (SteppedCore core = core()) {
            core.register(g -> g.defer(), Map.of(HandlerProperties.DOMAIN, "dma0"));
            DevicePort dev = device(core, 0x10, "dma0");
            dev.reportPageRequest(Pasid.NONE, 3, PageRequest.FLAG_LAST_PAGE, Permissions.READ, 0x1000, 0, 0);

            now.addAndGet(TimeUnit.MILLISECONDS.toNanos(49));
            assertThat(core.expireDeadlines()).isZero();
            assertThat(responses).as("49 ms on the caller's clock: not due").isEmpty();

            now.addAndGet(TimeUnit.MILLISECONDS.toNanos(2));
            assertThat(responses).as("no thread of the core's own answers it").isEmpty();
            assertThat(core.expireDeadlines()).isEqualTo(1);
            assertThat(responses).containsExactly("sid:0x10 grp 3 INVALID");
            assertThat(core.statistics().totals().timedOut()).isEqualTo(1);
        }
    }

    @Test
    void aQueuedHandlersGroupWaitsUntilTheCallerServesItsQueue() {
        try (SteppedCore core = core()) {
            core.register(g -> g.respond(ResponseCode.SUCCESS), Map.of(HandlerProperties.DOMAIN, "dma0",
                    HandlerProperties.DISPATCH, HandlerProperties.DISPATCH_QUEUED));
            DevicePort dev = device(core, 0x11, "dma0");

            assertThat(dev.reportPageRequest(Pasid.NONE, 4, PageRequest.FLAG_LAST_PAGE, Permissions.WRITE, 0x2000, 0,
                    0)).isEqualTo(ReportOutcome.DISPATCHED);
            dev.reportPageRequest(Pasid.NONE, 5, PageRequest.FLAG_LAST_PAGE, Permissions.WRITE, 0x3000, 0, 0);
            assertThat(responses).isEmpty();
            assertThat(queues).hasSize(2).allSatisfy(q -> assertThat(q).isSameAs(queues.get(0)));

            assertThat(served.get(0).getAsBoolean()).isTrue();
            assertThat(responses).containsExactly("sid:0x11 grp 4 SUCCESS");
            assertThat(served.get(1).getAsBoolean()).isTrue();
            assertThat(served.get(1).getAsBoolean()).as("the queue is empty").isFalse();
            assertThat(responses).containsExactly("sid:0x11 grp 4 SUCCESS", "sid:0x11 grp 5 SUCCESS");
        }
    }

    @Test
    void anInlineCallBlockingPastItsDeadlineIsAnsweredOnceByTheCallersScanAndTheHandlersLateAnswerIsRefused() {
        List<Boolean> lateAnswer = new ArrayList<>();
        try (SteppedCore core = StandaloneCore.builder().defaultTimeoutMillis(50).inlineBlockMillis(20)
                .stepped(now::get, (queue, serveOldest) -> { })) {
            core.register(g -> {
                // the handler blocks the IOMMU's thread: the watchdog's scan runs meanwhile, on the caller's clock
                now.addAndGet(TimeUnit.MILLISECONDS.toNanos(60));
                core.scanForBlockedHandlers();
                lateAnswer.add(g.respond(ResponseCode.SUCCESS));
            }, Map.of(HandlerProperties.DOMAIN, "dma0", HandlerProperties.TIMEOUT_MS, 50));
            DevicePort dev = device(core, 0x12, "dma0");

            dev.reportPageRequest(Pasid.NONE, 6, PageRequest.FLAG_LAST_PAGE, Permissions.READ, 0x4000, 0, 0);

            assertThat(responses).containsExactly("sid:0x12 grp 6 INVALID");
            assertThat(lateAnswer).containsExactly(false);
            assertThat(core.statistics().totals().balanced()).isTrue();
        }
    }
}
