package dev.faultline.vtd.internal;

import static dev.faultline.vtd.internal.DriverRig.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.backend.FaultQueue;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.PciRequesterId;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.platform.dma.DmaDevice;
import dev.faultline.platform.dma.DmaResult;
import dev.faultline.platform.dma.DmaStatus;
import dev.faultline.platform.dma.PageRequestMessage;
import dev.faultline.platform.dma.PrgResponseMessage;
import dev.faultline.platform.dma.PriCapability;
import dev.faultline.platform.dma.PrgResponseCode;
import dev.faultline.platform.vtd.RegisterMap;
import dev.faultline.platform.x86.FirstLevelPageTable;
import dev.faultline.platform.x86.PageProtection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Real DMA from a PRI device through the unit's page request queue, the driver, and back. */
class PageRequestFlowTest {
    private static final PciRequesterId GPU = new PciRequesterId(0, 3, 0, 0);
    private static final int PASID = 5;
    private static final long VA = 0x7f00_0040_1000L;
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final DriverRig rig = new DriverRig();
    private final List<PrgResponseMessage> responses = new CopyOnWriteArrayList<>();
    private FirstLevelPageTable table;
    private DmaDevice device;
    private PriCapability pri;

    @BeforeEach
    void attachAPriDevice() {
        rig.start();
        table = new FirstLevelPageTable(rig.os, FirstLevelPageTable.PAGE_4K);
        rig.driver.attach(GPU, PASID, Domain.sva("gpu-process"), table.root());
        pri = new PriCapability(512, true);
        pri.enable();
        device = DmaDevice.withPri("gpu", GPU.rid(), rig.unit, rig.memory, pri);
        rig.unit.connect(GPU.rid(), response -> {
            responses.add(response);
            device.receive(response);
        });
    }

    @AfterEach
    void stop() {
        rig.close();
    }

    /** The demand-paging handler: maps the page, then answers SUCCESS. */
    private ResponseCode mapAndSucceed(PageRequest request) {
        table.map(request.address(), rig.pages.allocatePage(), 0x1000, PageProtection.READ_WRITE);
        return ResponseCode.SUCCESS;
    }

    @Test
    void retriesAndCompletesAfterTheHandlerMapsThePageAndAnswersSuccess() {
        rig.pipeline.pageRequests = this::mapAndSucceed;
        DmaResult write = device.write(PASID, VA + 0x10, new byte[] {1, 2, 3, 4}, WAIT);
        assertThat(write.status()).isEqualTo(DmaStatus.COMPLETED);
        assertThat(write.pageRequests()).isEqualTo(1);
        assertThat(rig.memory.readBytes(table.translate(VA + 0x10).orElseThrow(), 4)).containsExactly(1, 2, 3, 4);
        PageRequest reported = rig.pipeline.requests.get(0);
        assertThat(reported).isEqualTo(new PageRequest(GPU, PASID, reported.groupId(), true, VA, Permissions.WRITE,
                0, 0, true));
        assertThat(responses).containsExactly(new PrgResponseMessage(GPU.rid(), PASID, reported.groupId(), 0x0));
        assertThat(device.read(PASID, VA + 0x10, 4, WAIT).data()).containsExactly(1, 2, 3, 4);
        assertThat(rig.driver.counters().responsesSent()).isEqualTo(1);
    }

    @Test
    void failsTheAccessWhenTheHandlerAnswersInvalid() {
        rig.pipeline.pageRequests = request -> ResponseCode.INVALID;
        DmaResult read = device.read(PASID, VA, 8, WAIT);
        assertThat(read.status()).isEqualTo(DmaStatus.PAGE_REQUEST_INVALID);
        assertThat(responses).extracting(PrgResponseMessage::responseCode).containsExactly(0x1);
        assertThat(pri.canRequest()).isTrue();
    }

    @Test
    void sendsTheSpecsResponseFailureCodeAndTheDeviceStopsPageRequests() {
        rig.pipeline.pageRequests = request -> ResponseCode.FAILURE;
        DmaResult read = device.read(PASID, VA, 8, WAIT);
        assertThat(read.status()).isEqualTo(DmaStatus.PAGE_REQUEST_FAILED);
        // 0xF, the PCIe Response Failure; Linux would have written the reserved code 2.
        assertThat(responses).extracting(PrgResponseMessage::responseCode).containsExactly(0xf);
        assertThat(pri.responseFailure()).isTrue();
        // PRI stopped: the device's next access is an ordinary one, which faults without a page request.
        assertThat(device.read(PASID, VA, 8, WAIT).status()).isEqualTo(DmaStatus.ABORTED);
        assertThat(rig.pipeline.requests).hasSize(1);
    }

    @Test
    void reportsEveryRequestOfAGroupAndAnswersOnlyItsLast() {
        rig.pipeline.pageRequests = this::mapAndSucceed;
        long[] pages = {VA, VA + 0x1000, VA + 0x2000};
        assertThat(device.requestPages(PASID, pages, true, false, WAIT)).isPresent();
        assertThat(rig.pipeline.requests).extracting(PageRequest::address).containsExactly(pages[0], pages[1],
                pages[2]);
        assertThat(rig.pipeline.requests).extracting(PageRequest::lastPage).containsExactly(false, false, true);
        assertThat(responses).hasSize(1);
    }

    @Test
    void answersPendingGroupsInvalidWhenStopped() {
        rig.pipeline.pageRequests = request -> null; // the handler defers and never answers
        Thread reader = new Thread(() -> device.read(PASID, VA, 8, WAIT));
        reader.start();
        await("the page request to reach the core", () -> rig.pipeline.pending.size() == 1);
        rig.driver.stop();
        assertThat(responses).extracting(PrgResponseMessage::responseCode).containsExactly(0x1);
        assertThat(rig.pipeline.events).endsWith("close");
    }

    @Test
    void rejectsAPrivilegedRequestAsLinuxDoesAndAnswersItsGroupInvalid() {
        // a page request as Linux traces and answers it (intel/prq.c), PMR = 1
        rig.unit.pageRequest(new PageRequestMessage(GPU.rid(), PASID, false, true, true, true, true, 0x12,
                0x7f00_0040_1000L));
        await("the Invalid response", () -> responses.size() == 1);
        assertThat(responses.get(0)).isEqualTo(new PrgResponseMessage(GPU.rid(), PASID, 0x12, 0x1));
        assertThat(rig.lines).containsExactly("IOMMU: dmar0: Page request in Privilege Mode",
                "dmar0: Invalid page request: 20000503000101 7f0000401097");
        assertThat(rig.pipeline.requests).isEmpty();
        assertThat(rig.driver.counters().badPageRequests()).isEqualTo(1);
    }

    @Test
    void rejectsExecuteWithReadAndPartialsWithoutAnswering() {
        rig.unit.pageRequest(new PageRequestMessage(GPU.rid(), PASID, true, false, true, false, false, 7, 0x1000));
        rig.unit.pageRequest(new PageRequestMessage(GPU.rid(), PASID, true, false, true, false, true, 7, 0x2000));
        await("the Invalid response", () -> responses.size() == 1);
        assertThat(rig.lines).filteredOn(l -> l.contains("Execution request not supported")).hasSize(2);
        assertThat(responses.get(0).prgIndex()).isEqualTo(7);
    }

    @Test
    void dropsStopMarkersWithoutAnswer() {
        rig.unit.pageRequest(PageRequestMessage.stopMarker(GPU.rid(), PASID, 3));
        rig.pipeline.pageRequests = this::mapAndSucceed;
        assertThat(device.read(PASID, VA, 8, WAIT).status()).isEqualTo(DmaStatus.COMPLETED);
        assertThat(rig.driver.counters().stopMarkers()).isEqualTo(1);
        assertThat(responses).hasSize(1);
        assertThat(rig.pipeline.requests).hasSize(1);
    }

    @Test
    void answersRequestsOfUnknownRequestersInvalid() {
        PciRequesterId stranger = new PciRequesterId(0, 4, 0, 0);
        List<PrgResponseMessage> strangerResponses = new CopyOnWriteArrayList<>();
        rig.driver.attach(stranger, 9, Domain.sva("other"), table.root());
        rig.unit.connect(stranger.rid(), strangerResponses::add);
        rig.driver.removeDevice(stranger);
        // the context entry is gone: the unit itself records 0x41 and answers; a forged descriptor for a
        // requester the driver does not know reaches the driver only through memory, so write one.
        long pqa = rig.unit.read64(RegisterMap.PQA) & RegisterMap.QUEUE_BASE_MASK;
        long tail = rig.unit.read64(RegisterMap.PQT);
        rig.memory.write64(pqa + tail, 0x0000_0009_0400_0101L);
        rig.memory.write64(pqa + tail + 8, 0x5000 | 2 << 3 | 0b101);
        rig.unit.write64(RegisterMap.PQT, tail + 32);
        rig.pipeline.pageRequests = this::mapAndSucceed;
        assertThat(device.read(PASID, VA, 8, WAIT).status()).isEqualTo(DmaStatus.COMPLETED); // raises the event
        await("the stranger's answer", () -> strangerResponses.size() == 1);
        assertThat(strangerResponses.get(0)).isEqualTo(new PrgResponseMessage(stranger.rid(), 9, 2, 0x1));
        assertThat(rig.lines).contains("dmar0: Invalid page request: 904000101 00005015")
                .noneMatch(l -> l.startsWith("IOMMU: dmar0:"));
    }

    @Test
    void refusesDescriptorsWithReservedBitsAndAnswersOnlyTheOneThatEndsItsGroup() {
        long pqa = rig.unit.read64(RegisterMap.PQA) & RegisterMap.QUEUE_BASE_MASK;
        rig.memory.write64(pqa, 0x0000_0005_0300_0501L); // qw0 bit 10 (reserved) set, a partial
        rig.memory.write64(pqa + 8, 0x7f00_0050_0000L | 0x11 << 3 | 0b001);
        rig.memory.write64(pqa + 32, 0x1000_0005_0300_0101L); // qw0 bit 60 (reserved) set, last in group 0x12
        rig.memory.write64(pqa + 40, 0x7f00_0050_1000L | 0x12 << 3 | 0b101);
        rig.unit.write64(RegisterMap.PQT, 64);
        rig.pipeline.pageRequests = this::mapAndSucceed;
        device.read(PASID, VA, 8, WAIT); // raises the event that drains all three
        await("the refused group answered", () -> responses.stream().anyMatch(r -> r.prgIndex() == 0x12));

        assertThat(responses).filteredOn(r -> r.prgIndex() == 0x12 || r.prgIndex() == 0x11)
                .containsExactly(new PrgResponseMessage(GPU.rid(), PASID, 0x12, 0x1));
        assertThat(rig.pipeline.requests).extracting(PageRequest::address).doesNotContain(0x7f00_0050_0000L,
                0x7f00_0050_1000L);
        assertThat(rig.driver.counters().reservedDescriptors()).isEqualTo(2);
        assertThat(rig.driver.counters().badPageRequests()).isEqualTo(2);
        assertThat(rig.lines).contains("dmar0: Invalid page request: 1000000503000101 7f0000501095");
    }

    @Test
    void advancesTheHeadPastEachDescriptorSoAFailureNeverHandlesThoseBeforeItAgain() {
        long pqa = rig.unit.read64(RegisterMap.PQA) & RegisterMap.QUEUE_BASE_MASK;
        long first = 0x7f00_0060_0000L;
        long failing = 0x7f00_0060_1000L;
        rig.memory.write64(pqa, 0x0000_0005_0300_0101L);
        rig.memory.write64(pqa + 8, first | 0x21 << 3 | 0b101);
        rig.memory.write64(pqa + 32, 0x0000_0005_0300_0101L);
        rig.memory.write64(pqa + 40, failing | 0x22 << 3 | 0b101);
        rig.unit.write64(RegisterMap.PQT, 64);
        rig.pipeline.pageRequests = request -> {
            if (request.address() == failing) {
                throw new IllegalStateException("report failed");
            }
            return mapAndSucceed(request);
        };
        device.read(PASID, VA, 8, WAIT); // drains both, then the device's own request
        assertThat(device.read(PASID, VA + 0x3000, 8, WAIT).status()).isEqualTo(DmaStatus.COMPLETED);

        assertThat(rig.pipeline.requests).extracting(PageRequest::address).filteredOn(a -> a == first || a == failing)
                .containsExactly(first, failing);
        // PQH is written just after each descriptor's report returns, which may be after the device got its answer
        await("PQH caught up with PQT", () -> rig.unit.read64(RegisterMap.PQH) == rig.unit.read64(RegisterMap.PQT));
    }

    @Test
    void reportsPrivateDataAndEchoesItInTheResponse() {
        long pqa = rig.unit.read64(RegisterMap.PQA) & RegisterMap.QUEUE_BASE_MASK;
        rig.memory.write64(pqa, 0x0000_0005_0300_0301L); // PDP set
        rig.memory.write64(pqa + 8, 0x7f00_0040_1000L | 0x21 << 3 | 0b101);
        rig.memory.write64(pqa + 16, 0x1122_3344L);
        rig.memory.write64(pqa + 24, 0x5566_7788L);
        rig.unit.write64(RegisterMap.PQT, 32);
        rig.pipeline.pageRequests = this::mapAndSucceed;
        device.read(PASID, VA + 0x1000, 8, WAIT); // a second request raises the event that drains both
        await("both requests reported", () -> rig.pipeline.requests.size() == 2);
        PageRequest withData = rig.pipeline.requests.get(0);
        assertThat(withData.privateData0()).isEqualTo(0x1122_3344L);
        assertThat(withData.privateData1()).isEqualTo(0x5566_7788L);
        long iqa = rig.unit.read64(RegisterMap.IQA) & RegisterMap.QUEUE_BASE_MASK;
        assertThat(rig.memory.read64(iqa)).isEqualTo(0x0000_0005_0300_0019L);
        assertThat(rig.memory.read64(iqa + 8)).isEqualTo(0x21 << 3 | 0b100);
        assertThat(rig.memory.read64(iqa + 16)).isEqualTo(0x1122_3344L);
        assertThat(rig.memory.read64(iqa + 24)).isEqualTo(0x5566_7788L);
    }

    @Test
    void survivesAnOverflowEpisodeAndServesRequestsAgain() throws InterruptedException {
        rig.close();
        try (DriverRig small = new DriverRig()) {
            small.start(new DriverSettings(0, TimeUnit.SECONDS.toNanos(5), 10, TimeUnit.SECONDS.toNanos(5)));
            FirstLevelPageTable t = new FirstLevelPageTable(small.os, FirstLevelPageTable.PAGE_4K);
            small.driver.attach(GPU, PASID, Domain.sva("gpu-process"), t.root());
            PriCapability capability = new PriCapability(512, true);
            capability.enable();
            DmaDevice gpu = DmaDevice.withPri("gpu", GPU.rid(), small.unit, small.memory, capability);
            CountDownLatch inHandler = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            small.pipeline.pageRequests = request -> {
                if (inHandler.getCount() > 0) {
                    inHandler.countDown();
                    awaitQuietly(release); // the driver's thread is busy in the core while the ring fills
                }
                t.map(request.address(), small.pages.allocatePage(), 0x1000, PageProtection.READ_WRITE);
                return ResponseCode.SUCCESS;
            };
            Thread first = new Thread(() -> gpu.read(PASID, VA - 0x1000, 8, WAIT));
            first.start();
            assertThat(inHandler.await(10, TimeUnit.SECONDS)).isTrue();
            long[] pages = new long[200];
            for (int i = 0; i < pages.length; i++) {
                pages[i] = VA + 0x1000L * i;
            }
            // One group of 200 requests meets a ring of 128 slots with one still unconsumed: 126 are queued,
            // PRO is set, the rest (the last included) are discarded and the unit answers the last itself.
            assertThat(gpu.requestPages(PASID, pages, true, false, WAIT))
                    .hasValueSatisfying(r -> assertThat(r.code()).isEqualTo(PrgResponseCode.SUCCESS));
            assertThat(small.unit.read32(RegisterMap.PRS) & RegisterMap.PRS_PRO).isNotZero();
            release.countDown();
            first.join(WAIT.toMillis());
            await("the overflow to be cleared", () -> small.lines.contains("IOMMU: dmar0: PRQ overflow cleared"));
            assertThat(small.lines).containsSubsequence("IOMMU: dmar0: PRQ overflow detected",
                    "IOMMU: dmar0: PRQ overflow cleared");
            ScriptedPipeline.Port port = small.pipeline.port;
            assertThat(port.discards).isEqualTo(1);
            assertThat(port.overflows).as("one episode reported to the core").containsExactly(FaultQueue.PAGE_REQUESTS);
            assertThat(port.partials).isEmpty();
            assertThat(small.pipeline.requests).hasSize(127).filteredOn(PageRequest::lastPage).hasSize(1);
            assertThat(small.unit.read32(RegisterMap.PRS) & RegisterMap.PRS_PRO).isZero();
            assertThat(gpu.read(PASID, VA + 0x300_0000L, 8, WAIT).status()).isEqualTo(DmaStatus.COMPLETED);
            assertThat(small.driver.counters().queueOverflows()).isEqualTo(2); // seen, then cleared once drained
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
