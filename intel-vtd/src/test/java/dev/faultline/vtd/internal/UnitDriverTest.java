package dev.faultline.vtd.internal;

import static dev.faultline.vtd.internal.DriverRig.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.PciRequesterId;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.fault.StreamId;
import dev.faultline.api.fault.UnrecoverableFault;
import dev.faultline.platform.dma.AccessType;
import dev.faultline.platform.dma.DmaAccess;
import dev.faultline.platform.dma.DmaDevice;
import dev.faultline.platform.dma.DmaStatus;
import dev.faultline.platform.dma.PrgResponseMessage;
import dev.faultline.platform.dma.PriCapability;
import dev.faultline.platform.dma.TranslationOutcome;
import dev.faultline.platform.vtd.ExtendedCapability;
import dev.faultline.platform.vtd.PasidEntry;
import dev.faultline.platform.vtd.PasidTranslationType;
import dev.faultline.platform.vtd.RegisterMap;
import dev.faultline.platform.vtd.UnitConfiguration;
import dev.faultline.platform.x86.FirstLevelPageTable;
import dev.faultline.platform.x86.PageProtection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Programming, the attach API, refused responses, queue errors, and taking over a running unit. */
class UnitDriverTest {
    private static final PciRequesterId GPU = new PciRequesterId(0, 3, 0, 0);
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final DriverRig rig = new DriverRig();

    @AfterEach
    void stop() {
        rig.close();
    }

    @Test
    void programsScalableModeQueuesAndEventsAtStart() {
        rig.start();
        int gsts = rig.unit.read32(RegisterMap.GSTS);
        assertThat(gsts).isEqualTo(RegisterMap.GCMD_TE | RegisterMap.GCMD_SRTP | RegisterMap.GCMD_QIE);
        assertThat(rig.unit.read64(RegisterMap.RTADDR) & RegisterMap.RTADDR_TTM_MASK).isEqualTo(RegisterMap.RTADDR_SMT);
        assertThat(rig.unit.read64(RegisterMap.IQA) & 0xfff).isEqualTo(RegisterMap.IQA_DW | 1); // Linux: DW, QS 1
        assertThat(rig.unit.read64(RegisterMap.PQA) & 7).isEqualTo(4); // PRQ_ORDER
        assertThat(rig.unit.read32(RegisterMap.FECTL)).isZero();
        assertThat(rig.unit.read32(RegisterMap.PECTL)).isZero();
        assertThat(rig.pipeline.events).containsExactly("connect dmar0");
        assertThat(rig.driver.tookOver()).isFalse();
    }

    @Test
    void programsAFirstLevelPasidEntryAndTellsTheCoreTheDomain() {
        rig.start();
        FirstLevelPageTable table = new FirstLevelPageTable(rig.os, FirstLevelPageTable.PAGE_4K);
        rig.driver.attach(GPU, 0x2345, Domain.sva("proc"), table.root());
        rig.driver.attach(GPU, Pasid.NONE, Domain.dma("dma"), table.root());
        PasidEntry entry = rig.driver.pasidEntry(GPU, 0x2345);
        assertThat(entry.translationType()).isEqualTo(PasidTranslationType.FIRST_LEVEL);
        assertThat(entry.firstLevelTable()).isEqualTo(table.root());
        assertThat(entry.domainId()).isEqualTo(1);
        assertThat(entry.supervisorRequests()).isFalse();
        assertThat(rig.driver.pasidEntry(GPU, Pasid.NONE).domainId()).isEqualTo(2);
        ScriptedPipeline.Device device = rig.pipeline.port.devices.get(GPU);
        assertThat(device.attachments).containsEntry(0x2345, Domain.sva("proc")).containsEntry(Pasid.NONE,
                Domain.dma("dma"));
        rig.driver.detach(GPU, 0x2345);
        assertThat(rig.driver.pasidEntry(GPU, 0x2345).present()).isFalse();
        assertThat(device.attachments).doesNotContainKey(0x2345);
        rig.driver.removeDevice(GPU);
        assertThat(device.removed).isTrue();
        assertThat(rig.driver.pasidEntry(GPU, Pasid.NONE)).isNull();
    }

    private TranslationOutcome read(int pasid, long va) {
        return rig.unit.issue(new DmaAccess(GPU.rid(), pasid, va, AccessType.READ, false, 8, false)).outcome();
    }

    @Test
    void detachAndReplaceInvalidateThePasidCacheSoTheUnitStopsUsingTheOldEntry() {
        rig.start();
        long va = 0x7f00_0040_1000L;
        FirstLevelPageTable old = new FirstLevelPageTable(rig.os, FirstLevelPageTable.PAGE_4K);
        old.map(va, rig.pages.allocatePage(), 0x1000, PageProtection.READ_WRITE);
        rig.driver.attach(GPU, 5, Domain.sva("old"), old.root());
        assertThat(read(5, va)).isEqualTo(TranslationOutcome.TRANSLATED); // the unit caches the entry now

        FirstLevelPageTable empty = new FirstLevelPageTable(rig.os, FirstLevelPageTable.PAGE_4K);
        rig.driver.attach(GPU, 5, Domain.sva("new"), empty.root());
        assertThat(read(5, va)).as("the replaced entry no longer translates").isEqualTo(TranslationOutcome.ABORTED);

        rig.driver.attach(GPU, 6, Domain.sva("other"), old.root());
        assertThat(read(6, va)).isEqualTo(TranslationOutcome.TRANSLATED);
        rig.driver.detach(GPU, 6);
        assertThat(read(6, va)).as("the detached PASID no longer translates").isEqualTo(TranslationOutcome.ABORTED);

        rig.driver.attach(GPU, 6, Domain.sva("other"), old.root());
        assertThat(read(6, va)).isEqualTo(TranslationOutcome.TRANSLATED);
        rig.driver.removeDevice(GPU);
        assertThat(read(6, va)).as("the removed device no longer translates").isEqualTo(TranslationOutcome.ABORTED);
        assertThat(rig.unit.counters().invalidationErrors()).isZero();
    }

    @Test
    void anSvaDomainIsRefusedOnADeviceTheFirmwareAnnouncedWithoutPri() {
        rig.start();
        FirstLevelPageTable table = new FirstLevelPageTable(rig.os, FirstLevelPageTable.PAGE_4K);
        PciRequesterId nic = new PciRequesterId(0, 4, 0, 0);
        rig.driver.addDevice(nic, false);
        rig.driver.addDevice(GPU, true);

        assertThatThrownBy(() -> rig.driver.attach(nic, 5, Domain.sva("proc"), table.root()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no PRI capability");
        assertThat(rig.driver.pasidEntry(nic, 5)).as("nothing programmed").isNull();
        rig.driver.attach(nic, Pasid.NONE, Domain.dma("dma"), table.root());
        rig.driver.attach(GPU, 5, Domain.sva("proc"), table.root());
        assertThat(rig.driver.pasidEntry(GPU, 5)).isNotNull();
    }

    @Test
    void rejectsAttachmentsItCannotProgram() {
        rig.start();
        FirstLevelPageTable table = new FirstLevelPageTable(rig.os, FirstLevelPageTable.PAGE_4K);
        Domain domain = Domain.sva("proc");
        assertThatThrownBy(() -> rig.driver.attach(GPU, 0, domain, table.root()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("RID_PASID");
        assertThatThrownBy(() -> rig.driver.attach(new PciRequesterId(1, 3, 0, 0), 5, domain, table.root()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("segment");
        assertThatThrownBy(() -> rig.driver.attach(GPU, 5, domain, table.root() + 8))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("aligned");
        assertThatThrownBy(() -> rig.driver.attach(GPU, 1 << 20, domain, table.root()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("20-bit");
        rig.driver.stop();
        assertThatThrownBy(() -> rig.driver.attach(GPU, 5, domain, table.root()))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void refusesUnitsWithoutScalableMode() {
        UnitConfiguration standard = UnitConfiguration.standard("dmar9", 0, 8, DriverRig.MEMORY_TOP);
        DriverRig legacy = new DriverRig(new UnitConfiguration("dmar9", 0, standard.capability(),
                ExtendedCapability.of(UnitConfiguration.STANDARD_FEATURES & ~ExtendedCapability.SCALABLE_MODE, 20),
                46, DriverRig.MEMORY_TOP));
        assertThatThrownBy(legacy::start).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("scalable mode");
    }

    @Test
    void refusesToSendResponsesForDevicesOrGroupsItCannotAddress() {
        rig.start();
        List<PrgResponseMessage> seen = new CopyOnWriteArrayList<>();
        rig.unit.connect(GPU.rid(), seen::add);
        rig.pipeline.backend.sendPageResponse(new StreamId(0x300), new ScriptedPipeline.Response(
                ResponseCode.SUCCESS, PageRequest.last(new StreamId(0x300), 1, 0x1000, Permissions.READ)));
        rig.pipeline.backend.sendPageResponse(GPU, new ScriptedPipeline.Response(ResponseCode.SUCCESS,
                PageRequest.last(GPU, 0x200, 0x1000, Permissions.READ)));
        assertThat(rig.driver.counters().responsesRefused()).isEqualTo(2);
        assertThat(seen).isEmpty();
        assertThat(rig.lines).hasSize(2).allMatch(l -> l.startsWith("DMAR: dmar0: page response refused"));
    }

    @Test
    void recoversFromAnInvalidDescriptorInTheQueueAsLinuxDoes() {
        rig.start();
        List<PrgResponseMessage> seen = new CopyOnWriteArrayList<>();
        rig.unit.connect(GPU.rid(), seen::add);
        // A stray descriptor of an unknown type (0xb) lands at the tail before the driver's next submission.
        long iqa = rig.unit.read64(RegisterMap.IQA) & RegisterMap.QUEUE_BASE_MASK;
        long tail = rig.unit.read64(RegisterMap.IQT);
        rig.memory.write64(iqa + tail, 0xb);
        rig.unit.write64(RegisterMap.IQT, tail + 32);
        assertThat(rig.unit.read32(RegisterMap.FSTS) & RegisterMap.FSTS_IQE).isNotZero();
        rig.pipeline.backend.sendPageResponse(GPU, new ScriptedPipeline.Response(ResponseCode.INVALID,
                PageRequest.last(GPU, 3, 0x1000, Permissions.READ)));
        assertThat(seen).containsExactly(new PrgResponseMessage(GPU.rid(), Pasid.NONE, 3, 0x1));
        assertThat(rig.driver.counters().invalidationErrors()).isEqualTo(1);
        assertThat(rig.driver.counters().responsesSent()).isEqualTo(1);
        assertThat(rig.lines).containsExactly("DMAR: VT-d detected invalid descriptor: low=b, high=0");
    }

    @Test
    void aNewDriverTakesOverAndDrainsWhatWasQueuedInTheGap() throws InterruptedException {
        rig.start();
        FirstLevelPageTable table = new FirstLevelPageTable(rig.os, FirstLevelPageTable.PAGE_4K);
        rig.driver.attach(GPU, 5, Domain.sva("proc"), table.root());
        PriCapability pri = new PriCapability(64, true);
        pri.enable();
        DmaDevice gpu = DmaDevice.withPri("gpu", GPU.rid(), rig.unit, rig.memory, pri);
        DmaDevice plain = DmaDevice.of("gpu-fn", GPU.rid(), rig.unit, rig.memory);
        long rootBefore = rig.unit.read64(RegisterMap.RTADDR);
        rig.driver.stop();
        assertThat(rig.pipeline.port.closed).isTrue();

        // The gap: a fault is recorded and a page request queued; nobody drains them.
        assertThat(plain.read(5, 0x5000, 8, WAIT).status()).isEqualTo(DmaStatus.ABORTED);
        DmaStatus[] result = new DmaStatus[1];
        Thread access = new Thread(() -> result[0] = gpu.read(5, 0x7000, 8, WAIT).status());
        access.start();
        await("the page request to be queued", () -> rig.unit.counters().pageRequestsQueued() == 1);
        assertThat(rig.unit.read32(RegisterMap.PECTL)).isEqualTo(RegisterMap.EVENT_IM | RegisterMap.EVENT_IP);

        rig.pipeline.pageRequests = request -> {
            table.map(request.address(), rig.pages.allocatePage(), 0x1000, PageProtection.READ_WRITE);
            return ResponseCode.SUCCESS;
        };
        UnitDriver next = rig.start();
        assertThat(next.tookOver()).isTrue();
        access.join(WAIT.toMillis());
        assertThat(result[0]).isEqualTo(DmaStatus.COMPLETED);
        await("the recorded fault", () -> next.counters().faultsReported() == 1);
        assertThat(rig.pipeline.faults).extracting(UnrecoverableFault::address).containsExactly(0x5000L);
        assertThat(rig.pipeline.port.devices).containsKey(GPU); // announced from its present context entry
        assertThat(rig.unit.read64(RegisterMap.RTADDR)).isEqualTo(rootBefore); // the tables were adopted
        assertThat(next.pasidEntry(GPU, 5).firstLevelTable()).isEqualTo(table.root());
    }
}
