package dev.faultline.smmuv3.internal;

import static dev.faultline.smmuv3.internal.BackendRig.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.FaultGroup;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.platform.arm.Protection;
import dev.faultline.platform.arm.TranslationTable;
import dev.faultline.platform.dma.DmaDevice;
import dev.faultline.platform.dma.DmaResult;
import dev.faultline.platform.dma.DmaStatus;
import dev.faultline.platform.dma.PrgResponseCode;
import dev.faultline.platform.dma.PrgResponseMessage;
import dev.faultline.platform.smmuv3.Command;
import dev.faultline.platform.smmuv3.EventRecord;
import dev.faultline.platform.smmuv3.EventType;
import dev.faultline.platform.smmuv3.SmmuFeatures;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Real DMA through the simulated SMMUv3, the driver and the real fault core, for every routed path. */
class EndToEndTest {
    private static final DeviceId GPU = DeviceId.parse("platform:gpu0");
    private static final DeviceId NIC = DeviceId.parse("0000:03:00.0");
    private static final DeviceId DSP = DeviceId.parse("platform:dsp0");

    private BackendRig rig;

    @AfterEach
    void close() {
        if (rig != null) {
            rig.close();
        }
    }

    /** What a handler saw, copied during the call. */
    record Seen(boolean recoverable, int groupId, int pasid, long address, Permissions permissions,
            HardwareRecord record) {
        static Seen of(FaultGroup g) {
            return new Seen(g.recoverable(), g.groupId(), g.pasid(), g.address(0), g.permissions(0),
                    g.hardwareRecord());
        }
    }

    /** A handler that maps the faulting page (a demand-paging handler) and answers {@code code}. */
    private static List<Seen> pager(BackendRig rig, String domain, TranslationTable table, AtomicLong nextFrame,
            ResponseCode code) {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        rig.handleDomain(domain, g -> {
            seen.add(Seen.of(g));
            if (code == ResponseCode.SUCCESS) {
                table.map(g.address(0) & ~0xfffL, nextFrame.getAndAdd(0x1000), 0x1000, Protection.READ_WRITE);
            }
            g.respond(code);
        });
        return seen;
    }

    @Test
    void stallAnsweredSuccessResumesTheTransactionWhichCompletes() {
        rig = new BackendRig("platform:gpu0@smmuv3.0:0x42:stall");
        rig.start();
        TranslationTable table = rig.stage1();
        rig.driver.attachStage1(GPU, Pasid.NONE, Domain.unmanaged("gpu0"), table);
        List<Seen> seen = pager(rig, "gpu0", table, new AtomicLong(0x9000_0000L), ResponseCode.SUCCESS);
        DmaDevice gpu = rig.device("gpu0", 0x42);

        DmaResult r = gpu.write(Pasid.NONE, 0x1234_5678L, new byte[] {7, 8, 9}, WAIT);

        assertThat(r.status()).isEqualTo(DmaStatus.COMPLETED);
        assertThat(r.stalls()).isEqualTo(1);
        assertThat(rig.machine.memory().readBytes(0x9000_0678L, 3)).containsExactly(7, 8, 9);
        assertThat(seen).hasSize(1);
        Seen s = seen.get(0);
        assertThat(s.recoverable()).isTrue();
        assertThat(s.address()).isEqualTo(0x1234_5678L);
        assertThat(s.permissions()).isEqualTo(Permissions.WRITE);
        assertThat(s.pasid()).isEqualTo(Pasid.NONE);
        Command.Resume resume = resumes(rig).get(0);
        assertThat(resume).isEqualTo(new Command.Resume(0x42, s.groupId(), true, false));
        assertThat(rig.smmu.stalledTransactions()).isZero();
        assertThat(rig.smmu.statistics().resumesUnmatched()).isZero();
        assertThat(rig.log.count("event 0x10")).isZero();
    }

    @Test
    void stallAnsweredInvalidTerminatesTheTransactionWithAnAbort() {
        rig = new BackendRig("platform:gpu0@smmuv3.0:0x42:stall");
        rig.start();
        TranslationTable table = rig.stage1();
        rig.driver.attachStage1(GPU, Pasid.NONE, Domain.unmanaged("gpu0"), table);
        List<Seen> seen = pager(rig, "gpu0", table, new AtomicLong(0x9000_0000L), ResponseCode.INVALID);

        DmaResult r = rig.device("gpu0", 0x42).read(Pasid.NONE, 0x4000, 8, WAIT);

        assertThat(r.status()).isEqualTo(DmaStatus.ABORTED);
        assertThat(seen).extracting(Seen::permissions).containsExactly(Permissions.READ);
        assertThat(resumes(rig)).containsExactly(new Command.Resume(0x42, seen.get(0).groupId(), false, true));
        assertThat(rig.smmu.stalledTransactions()).isZero();
        assertThat(rig.core.statistics().totals().answeredInvalid()).isEqualTo(1);
    }

    @Test
    void stallOfAPasidCarriesItToTheHandlerOfThatPasid() {
        rig = new BackendRig("platform:gpu0@smmuv3.0:0x42:stall");
        rig.start();
        TranslationTable ctx3 = rig.stage1();
        rig.driver.attachStage1(GPU, 3, Domain.sva("gpu0-ctx3"), ctx3);
        List<Seen> seen = pager(rig, "gpu0-ctx3", ctx3, new AtomicLong(0xa000_0000L), ResponseCode.SUCCESS);
        DmaResult r = rig.device("gpu0", 0x42).fetch(3, 0x7000, 4, WAIT);
        assertThat(r.status()).isEqualTo(DmaStatus.COMPLETED);
        assertThat(seen.get(0).pasid()).isEqualTo(3);
        assertThat(seen.get(0).permissions()).isEqualTo(Permissions.of(Permissions.READ.bits() | 4));
    }

    @Test
    void priRequestAnsweredSuccessSendsPcieSuccessAndTheRetryCompletes() {
        rig = new BackendRig("0000:03:00.0@smmuv3.0:0x300:pri");
        rig.start();
        TranslationTable table = rig.stage1();
        rig.driver.attachStage1(NIC, 5, Domain.sva("proc5"), table);
        List<Seen> seen = pager(rig, "proc5", table, new AtomicLong(0xb000_0000L), ResponseCode.SUCCESS);
        DmaDevice nic = rig.priDevice("nic", 0x300);

        DmaResult r = nic.write(5, 0x7f00_0040_0010L, new byte[] {1}, WAIT);

        assertThat(r.status()).isEqualTo(DmaStatus.COMPLETED);
        assertThat(r.pageRequests()).isEqualTo(1);
        assertThat(rig.machine.memory().read8(0xb000_0010L)).isEqualTo(1);
        assertThat(seen).hasSize(1);
        assertThat(seen.get(0).pasid()).isEqualTo(5);
        assertThat(seen.get(0).permissions()).isEqualTo(Permissions.WRITE);
        assertThat(rig.wire).containsExactly(new PrgResponseMessage(0x300, 5, seen.get(0).groupId(), 0b0000));
        assertThat(rig.smmu.statistics().eventsWritten()).isZero(); // ATS faults are not recorded
    }

    /** A PRI function with a PASID-less DMA domain whose handler answers {@code code} without mapping. */
    private DmaDevice priDeviceAnswered(ResponseCode code) {
        rig = new BackendRig("0000:03:00.0@smmuv3.0:0x300:pri");
        rig.start();
        TranslationTable table = rig.stage1();
        rig.driver.attachStage1(NIC, Pasid.NONE, Domain.dma("nic-dma"), table);
        pager(rig, "nic-dma", table, new AtomicLong(), code);
        return rig.priDevice("nic", 0x300);
    }

    @Test
    void priRequestAnsweredInvalidSendsInvalidRequestAndFailsTheAccess() {
        DmaDevice nic = priDeviceAnswered(ResponseCode.INVALID);
        assertThat(nic.read(Pasid.NONE, 0x10_0000, 4, WAIT).status()).isEqualTo(DmaStatus.PAGE_REQUEST_INVALID);
        assertThat(rig.wire).extracting(PrgResponseMessage::code).containsExactly(PrgResponseCode.INVALID_REQUEST);
        assertThat(rig.wire.get(0).hasPasid()).isFalse();
        assertThat(nic.pri().orElseThrow().canRequest()).isTrue();
    }

    @Test
    void priRequestAnsweredFailureSendsResponseFailureAndStopsPriOnTheDevice() {
        DmaDevice nic = priDeviceAnswered(ResponseCode.FAILURE);
        assertThat(nic.read(Pasid.NONE, 0x10_0000, 4, WAIT).status()).isEqualTo(DmaStatus.PAGE_REQUEST_FAILED);
        assertThat(rig.wire).extracting(PrgResponseMessage::responseCode).containsExactly(0b1111);
        assertThat(nic.pri().orElseThrow().responseFailure()).isTrue();
    }

    @Test
    void handlerThatThrowsGetsFailureOnTheWireAsTheCoreAnswers() {
        rig = new BackendRig("0000:03:00.0@smmuv3.0:0x300:pri");
        rig.start();
        rig.driver.attachStage1(NIC, Pasid.NONE, Domain.dma("nic-dma"), rig.stage1());
        rig.handleDomain("nic-dma", g -> {
            throw new IllegalStateException("handler bug");
        });
        DmaDevice nic = rig.priDevice("nic", 0x300);
        assertThat(nic.read(Pasid.NONE, 0x10_0000, 4, WAIT).status()).isEqualTo(DmaStatus.PAGE_REQUEST_FAILED);
        assertThat(rig.wire).extracting(PrgResponseMessage::responseCode).containsExactly(0b1111);
    }

    @Test
    void unrecoverableFaultGoesToTheDeviceHandlerAndIsNotPrinted() {
        rig = new BackendRig("platform:dsp0@smmuv3.0:0x60");
        rig.start();
        rig.driver.attachStage1(DSP, Pasid.NONE, Domain.unmanaged("dsp0"), rig.stage1());
        List<Seen> seen = new CopyOnWriteArrayList<>();
        rig.register(g -> seen.add(Seen.of(g)), HandlerProperties.DEVICE, "platform:dsp0");

        DmaResult r = rig.device("dsp0", 0x60).read(Pasid.NONE, 0x5000, 4, WAIT);

        assertThat(r.status()).isEqualTo(DmaStatus.ABORTED);
        BackendRig.await(() -> seen.size() == 1, "the unrecoverable fault");
        assertThat(seen.get(0).recoverable()).isFalse();
        assertThat(seen.get(0).address()).isEqualTo(0x5000);
        assertThat(seen.get(0).permissions()).isEqualTo(Permissions.READ);
        assertThat(rig.log.count("received")).isZero();
    }

    @Test
    void unhandledFaultsArePrintedInTheKernelsFormTenPerFiveSeconds() {
        rig = new BackendRig("platform:dsp0@smmuv3.0:0x60");
        rig.start();
        rig.driver.attachStage1(DSP, Pasid.NONE, Domain.unmanaged("dsp0"), rig.stage1());
        DmaDevice dsp = rig.device("dsp0", 0x60);
        for (int i = 0; i < 15; i++) {
            assertThat(dsp.write(Pasid.NONE, 0x10_0000L + i * 0x1000L, new byte[] {1}, WAIT).status())
                    .isEqualTo(DmaStatus.ABORTED);
        }
        BackendRig.await(() -> rig.driver.statistics().unrecoverableReported() == 15, "15 reports");
        // the print decision for a fault is counted just after its report returns
        BackendRig.await(() -> rig.driver.statistics().printsSuppressed() == 5, "5 suppressed prints");
        assertThat(rig.log.count("arm-smmu-v3 smmuv3.0: event 0x10 received:")).isEqualTo(10);
        assertThat(rig.log.lines()).contains(
                "arm-smmu-v3 smmuv3.0: event: F_TRANSLATION client: dsp0 sid: 0x60 ssid: 0x0 iova: 0x100000 ipa: 0x0",
                "arm-smmu-v3 smmuv3.0: unpriv data write s1 \"Input address caused fault\" stag: 0x0");
        assertThat(rig.driver.statistics().printsSuppressed()).isEqualTo(5);

        rig.ticker.addAndGet(5_000_000_001L); // a new rate-limit window
        dsp.read(Pasid.NONE, 0x20_0000L, 4, WAIT);
        BackendRig.await(() -> rig.log.count("received") == 11, "the 16th print");
        assertThat(rig.log.lines()).contains("arm_smmu_evtq_thread: 5 callbacks suppressed");
    }

    @Test
    void unknownStreamIdsArePrintedAsUnassigned() {
        rig = new BackendRig("platform:dsp0@smmuv3.0:0x60");
        rig.start();
        // 0x99 shares a level-2 stream table with 0x60 (invalid STE); 0x1234 has no level-2 table (Span 0)
        assertThat(rig.device("ghost", 0x99).read(Pasid.NONE, 0x1000, 4, WAIT).status()).isEqualTo(DmaStatus.ABORTED);
        assertThat(rig.device("ghost", 0x1234).read(Pasid.NONE, 0x1000, 4, WAIT).status())
                .isEqualTo(DmaStatus.ABORTED);
        BackendRig.await(() -> rig.log.count("(unassigned sid)") == 2, "the prints");
        assertThat(rig.log.lines()).contains(
                "arm-smmu-v3 smmuv3.0: event: C_BAD_STE client: (unassigned sid) sid: 0x99 ssid: 0x0",
                "arm-smmu-v3 smmuv3.0: event: C_BAD_STREAMID client: (unassigned sid) sid: 0x1234 ssid: 0x0");
        assertThat(rig.driver.statistics().unassignedRecords()).isEqualTo(2);
    }

    @Test
    void deviceWithNothingAttachedAbortsSilently() {
        rig = new BackendRig("platform:dsp0@smmuv3.0:0x60");
        rig.start();
        assertThat(rig.device("dsp0", 0x60).read(Pasid.NONE, 0x1000, 4, WAIT).status()).isEqualTo(DmaStatus.ABORTED);
        assertThat(rig.smmu.statistics().eventsWritten()).isZero();
    }

    @Test
    void linearStreamAndContextTablesServeAnSmmuWithoutTwoLevelSupport() {
        SmmuFeatures plain = new SmmuFeatures(8, 6, 0, false, false, false, false, false, 5, 8, 8, 8, 16);
        rig = new BackendRig(plain, "platform:gpu0@smmuv3.0:0x42:stall");
        rig.start();
        TranslationTable ctx5 = rig.stage1();
        rig.driver.attachStage1(GPU, 5, Domain.sva("ctx5"), ctx5);
        pager(rig, "ctx5", ctx5, new AtomicLong(0x9000_0000L), ResponseCode.SUCCESS);
        assertThat(rig.device("gpu0", 0x42).read(5, 0x3000, 8, WAIT).status()).isEqualTo(DmaStatus.COMPLETED);
        int strtabFormat = rig.smmu.read32(dev.faultline.platform.smmuv3.SmmuRegisters.STRTAB_BASE_CFG) >>> 16 & 3;
        assertThat(strtabFormat).as("linear stream table").isZero();
        assertThat(rig.driver.statistics().stallsReported()).isEqualTo(1);
    }

    @Test
    void eventQueueWriteAbortIsReportedAsTheKernelDoes() {
        rig = new BackendRig("platform:dsp0@smmuv3.0:0x60");
        rig.start();
        long evtq = rig.smmu.read64(dev.faultline.platform.smmuv3.SmmuRegisters.EVENTQ_BASE);
        rig.smmu.addExternalAbortRange(evtq & dev.faultline.platform.smmuv3.SmmuRegisters.Q_BASE_ADDR_MASK, 1 << 13);
        rig.driver.attachStage1(DSP, Pasid.NONE, Domain.unmanaged("dsp0"), rig.stage1());
        rig.device("dsp0", 0x60).read(Pasid.NONE, 0x1000, 4, WAIT);
        BackendRig.await(() -> rig.log.count("EVTQ write aborted -- events may have been lost") == 1, "the report");
        assertThat(rig.log.lines()).contains(
                "arm-smmu-v3 smmuv3.0: unexpected global error reported (0x00000004), this could be serious");
    }

    static List<Command.Resume> resumes(BackendRig rig) {
        return rig.commands().stream().filter(c -> c instanceof Command.Resume).map(c -> (Command.Resume) c).toList();
    }

    static EventRecord decode(HardwareRecord r) {
        return EventRecord.decode(r.words());
    }

    static boolean isTranslationFault(EventRecord e) {
        return e.type() == EventType.F_TRANSLATION;
    }
}
