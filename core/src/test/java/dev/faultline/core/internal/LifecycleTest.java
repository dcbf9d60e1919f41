package dev.faultline.core.internal;

import static dev.faultline.core.internal.Fixture.DEV2;
import static dev.faultline.core.internal.Fixture.DEV;
import static dev.faultline.core.internal.Fixture.last;
import static dev.faultline.core.internal.Fixture.partial;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.IommuBackend;
import dev.faultline.api.backend.IommuPort;
import dev.faultline.api.backend.ReportOutcome;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.api.stats.FaultCounts;
import dev.faultline.core.internal.configure.HandlerPolicy;
import dev.faultline.core.internal.configure.Settings;
import dev.faultline.testkit.backend.RecordingBackend;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LifecycleTest {
    private final Fixture f = new Fixture();
    private final Handlers.Deferring deferring = new Handlers.Deferring();

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void removingADeviceAnswersItsPendingGroupsInvalidAndDiscardsItsPartials() {
        f.registerForDevice(deferring, DEV);
        f.registerForDevice(deferring, DEV2);
        DevicePort d = f.device(DEV);
        last(d, 1, 0x1000);
        last(d, 2, 0x2000);
        last(f.device(DEV2), 3, 0x3000);
        partial(d, 4, 0x4000);

        d.remove();

        assertThat(f.backend.responses()).extracting(RecordingBackend.Response::groupId).containsExactlyInAnyOrder(1, 2);
        assertThat(f.backend.codes()).containsOnly(ResponseCode.INVALID);
        assertThat(f.pipeline.pending()).singleElement().extracting(p -> p.groupId()).isEqualTo(3);
        assertThat(deferring.held.get(0).respond(ResponseCode.SUCCESS)).isFalse();
        assertThat(f.iommu.device(DEV)).isEmpty();
        FaultCounts c = f.pipeline.totals();
        assertThat(c.discardedPartials()).isEqualTo(1);
        assertThat(c.balanced()).isTrue();
    }

    @Test
    void rejectsReportsOfARemovedDeviceAndStillAnswersTheirLastRequest() {
        DevicePort d = f.device(DEV);
        d.remove();
        d.remove();

        assertThat(partial(d, 1, 0x1000)).isEqualTo(ReportOutcome.REJECTED);
        assertThat(last(d, 1, 0x1000)).isEqualTo(ReportOutcome.REJECTED);

        assertThat(f.backend.codes()).containsExactly(ResponseCode.INVALID);
        assertThat(f.pipeline.devices()).singleElement().satisfies(s -> {
            assertThat(s.present()).isFalse();
            assertThat(s.counts().rejected()).isEqualTo(2);
            assertThat(s.counts().balanced()).isTrue();
        });
    }

    @Test
    void aRemovedDeviceCanBeAddedAgain() {
        f.device(DEV).remove();

        assertThat(f.iommu.addDevice(DEV)).isNotNull();
    }

    @Test
    void closingTheIommuAnswersEveryPendingGroupInvalidAndRemovesItsDevices() {
        f.registerForDevice(deferring, DEV);
        f.registerForDevice(deferring, DEV2);
        last(f.device(DEV), 1, 0x1000);
        last(f.device(DEV2), 2, 0x2000);
        DevicePort d = f.device(DEV);

        f.iommu.close();
        f.iommu.close();

        assertThat(f.backend.codes()).containsExactly(ResponseCode.INVALID, ResponseCode.INVALID);
        assertThat(f.pipeline.pending()).isEmpty();
        assertThat(f.iommu.device(DEV)).isEmpty();
        assertThat(last(d, 3, 0x1000)).isEqualTo(ReportOutcome.REJECTED);
        assertThat(f.backend.responses()).hasSize(2);
        assertThat(f.pipeline.totals().lostResponses()).isEqualTo(1);
        assertThatThrownBy(() -> f.iommu.addDevice(DEV)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("disconnected");
    }

    @Test
    void aClosedIommusNameCanBeConnectedAgain() {
        f.iommu.close();

        IommuPort again = f.pipeline.connect(new RecordingBackend("iommu0"));

        assertThat(again.addDevice(DEV)).isNotNull();
    }

    @Test
    void refusesASecondIommuOfTheSameName() {
        assertThatThrownBy(() -> f.pipeline.connect(new RecordingBackend("iommu0")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("iommu0");
    }

    @Test
    void refusesADeviceAlreadyAddedOnAnyIommu() {
        f.device(DEV);
        IommuPort other = f.pipeline.connect(new RecordingBackend("iommu1"));

        assertThatThrownBy(() -> other.addDevice(DEV)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already added on IOMMU iommu0");
        assertThatThrownBy(() -> f.iommu.addDevice(DEV)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theDeferredGroupsADepartedHandlerLeftAreAnsweredInvalidWhenItsCleanUpWindowEnds() {
        long id = f.registerForDevice(deferring, DEV);
        last(f.device(DEV), 1, 0x1000);
        last(f.device(DEV), 2, 0x1000);

        f.pipeline.removeHandler(id);
        assertThat(f.backend.responses()).isEmpty();
        f.ticker.advance(HandlerPolicy.DEFAULT_CLEANUP_MS, TimeUnit.MILLISECONDS);
        f.pipeline.expireDeadlines();

        assertThat(f.backend.codes()).containsExactly(ResponseCode.INVALID, ResponseCode.INVALID);
        assertThat(f.pipeline.pending()).isEmpty();
        assertThat(f.pipeline.handlers()).isEmpty();
        assertThat(deferring.held.get(0).respond(ResponseCode.SUCCESS)).isFalse();
    }

    @Test
    void anotherHandlerTakesOverWhenOneDeparts() {
        long first = f.registerForDevice(deferring, DEV);
        Handlers.Answering next = new Handlers.Answering(ResponseCode.SUCCESS);
        f.register(next, "faultline.device", DEV.toString(), "service.ranking", -1);
        last(f.device(DEV), 1, 0x1000);

        f.pipeline.removeHandler(first);
        last(f.device(DEV), 2, 0x1000);

        assertThat(next.seen).containsExactly("group 2 pasid -1 addrs 1000");
        assertThat(f.backend.codes()).containsExactly(ResponseCode.SUCCESS);
    }

    @Test
    void aGroupDeferredByAHandlerThatUnregisteredItselfIsAnsweredInvalidWhenItsCleanUpWindowEnds() {
        long[] id = new long[1];
        id[0] = f.registerForDevice(group -> {
            f.pipeline.removeHandler(id[0]);
            group.defer();
        }, DEV);

        last(f.device(DEV), 1, 0x1000);
        assertThat(f.backend.responses()).isEmpty();
        f.ticker.advance(HandlerPolicy.DEFAULT_CLEANUP_MS, TimeUnit.MILLISECONDS);
        f.pipeline.expireDeadlines();

        assertThat(f.backend.codes()).containsExactly(ResponseCode.INVALID);
        assertThat(f.pipeline.pending()).isEmpty();
    }

    @Test
    void stoppingThePipelineAnswersEverythingAndRefusesNewIommus() {
        f.registerForDevice(deferring, DEV);
        last(f.device(DEV), 1, 0x1000);

        f.pipeline.close();

        assertThat(f.backend.codes()).containsExactly(ResponseCode.INVALID);
        assertThatThrownBy(() -> f.pipeline.connect(new RecordingBackend("late")))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closingACoreWithManyHandlersRemovesThemAllAtOnceWithoutAHandOverWindow() {
        closeWithHandlers(8); // loads the classes closing uses
        long allocated = closeWithHandlers(256);
        // one at a time, each departure opened a hand-over window and rebuilt the routes and claims of all the others
        // (about 10 MB for 256 handlers); at once, the routes are rebuilt once
        assertThat(allocated).as("bytes allocated closing a core with 256 handlers").isLessThan(512 * 1024);
    }

    /** Closes a core whose {@code n} handlers serve a domain each; returns what the closing thread allocated. */
    private static long closeWithHandlers(int n) {
        var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        Fixture core = new Fixture(Settings.DEFAULTS, HandlerPolicy.DEFAULTS.withHandover(1000, 3, 500));
        for (int i = 0; i < n; i++) {
            core.register(new Handlers.Answering(ResponseCode.SUCCESS), HandlerProperties.DOMAIN, "dom-" + i);
        }
        long before = mx.getThreadAllocatedBytes(Thread.currentThread().getId());
        core.close();
        long allocated = mx.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
        assertThat(core.pipeline.handlers()).isEmpty();
        return allocated;
    }

    @Test
    void countsAResponseTheBackendThrowsOn() {
        IommuBackend throwing = new IommuBackend() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public void sendPageResponse(dev.faultline.api.fault.DeviceId device,
                    dev.faultline.api.backend.PageResponse r) {
                throw new IllegalStateException("hardware queue full");
            }
        };
        DevicePort d = f.pipeline.connect(throwing).addDevice(DEV);

        assertThat(last(d, 1, 0x1000)).isEqualTo(ReportOutcome.NO_HANDLER);

        FaultCounts c = f.pipeline.totals();
        assertThat(c.lostResponses()).isEqualTo(1);
        assertThat(c.answeredInvalid()).isEqualTo(1);
        assertThat(f.log.count("page response lost: backend broken threw")).isEqualTo(1);
    }
}
