package dev.faultline.smmuv3.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.backend.PageResponse;
import dev.faultline.api.backend.ReportOutcome;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permission;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.fault.UnrecoverableFault;
import dev.faultline.platform.dma.PageRequestMessage;
import dev.faultline.platform.machine.DeviceNode;
import dev.faultline.platform.machine.Machine;
import dev.faultline.platform.smmuv3.EventRecord;
import dev.faultline.platform.smmuv3.Smmu;
import dev.faultline.platform.smmuv3.SmmuFeatures;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Exactly what the driver reports for each record, against a pipeline double. */
class RoutingTest {
    private static final DeviceId NIC = DeviceId.parse("0000:03:00.0");
    private static final DeviceId GPU = DeviceId.parse("platform:gpu0");

    private final Machine machine = Machine.create("m", 0x4000_0000L, 0x1000_0000L);
    private final Smmu smmu = new Smmu("smmuv3.0", SmmuFeatures.defaults(), machine.memory());
    private final ScriptedPipeline pipeline = new ScriptedPipeline();
    private final RecordingLog log = new RecordingLog();
    private SmmuDriver driver;

    @BeforeEach
    void start() {
        machine.addIommu(smmu);
        machine.addDevice(DeviceNode.parse("0000:03:00.0@smmuv3.0:0x300:pri"));
        machine.addDevice(DeviceNode.parse("platform:gpu0@smmuv3.0:0x42:stall"));
        driver = new SmmuDriver(smmu, machine, pipeline, DriverSettings.defaults(), log, new AtomicLong()::get);
        driver.start();
    }

    @AfterEach
    void stop() {
        driver.stop();
    }

    private void awaitReports(int n) {
        BackendRig.await(() -> pipeline.reports.size() == n, n + " reports");
    }

    @Test
    void priRequestsCarryPrgIndexLastFlagPasidAndPermissions() {
        smmu.pageRequest(new PageRequestMessage(0x300, 7, true, true, true, false, false, 0x1a5, 0x7f00_0000_1000L));
        smmu.pageRequest(new PageRequestMessage(0x300, Pasid.NONE, false, false, false, true, true, 0x1a5, 0x2000));
        awaitReports(2);
        ScriptedPipeline.Report partial = pipeline.reports.get(0);
        assertThat(partial.pageRequest()).isTrue();
        assertThat(partial.pasid()).isEqualTo(7);
        assertThat(partial.groupOrFlags()).isEqualTo(0x1a5);
        assertThat(partial.flags()).isEqualTo(PageRequest.FLAG_RESPONSE_NEEDS_PASID);
        assertThat(partial.permissions()).isEqualTo(Permissions.of(Permission.READ, Permission.EXEC, Permission.PRIV));
        assertThat(partial.address()).isEqualTo(0x7f00_0000_1000L);
        ScriptedPipeline.Report last = pipeline.reports.get(1);
        assertThat(last.pasid()).isEqualTo(Pasid.NONE);
        assertThat(last.flags()).isEqualTo(PageRequest.FLAG_LAST_PAGE);
        assertThat(last.permissions()).isEqualTo(Permissions.WRITE);
    }

    @Test
    void stallEventBecomesALastPageRequestWithTheStagAsGroup() {
        long dw1 = EventRecord.EVTQ_1_STALL | 0x1234 | EventRecord.EVTQ_1_RNW | EventRecord.EVTQ_1_IND
                | EventRecord.EVTQ_1_PNU | (long) EventRecord.CLASS_IN << EventRecord.EVTQ_1_CLASS_SHIFT;
        driver.handleEvent(0x0000_0042_0000_3810L, dw1, 0xdead_b000L, 0); // SSV, SSID 3
        ScriptedPipeline.Report r = pipeline.reports.get(0);
        assertThat(r.pageRequest()).isTrue();
        assertThat(r.groupOrFlags()).isEqualTo(0x1234);
        assertThat(r.pasid()).isEqualTo(3);
        assertThat(r.flags()).isEqualTo(PageRequest.FLAG_LAST_PAGE);
        assertThat(r.permissions()).isEqualTo(Permissions.of(Permission.READ, Permission.EXEC, Permission.PRIV));
        assertThat(r.address()).isEqualTo(0xdead_b000L);
    }

    @Test
    void badSubstreamIdIsReportedWithItsSubstreamAlthoughSsvIsClear() {
        driver.handleEvent(0x0000_0042_0000_5008L, 0, 0, 0);
        ScriptedPipeline.Report r = pipeline.reports.get(0);
        assertThat(r.pageRequest()).isFalse();
        assertThat(r.pasid()).isEqualTo(5);
        assertThat(r.flags()).isEqualTo(UnrecoverableFault.PASID_VALID);
        assertThat(r.permissions()).isEqualTo(Permissions.NONE);
    }

    @Test
    void fetchFaultsCarryTheFetchAddress() {
        driver.handleEvent(0x0000_0042_0000_0009L, 0, 0, 0x0000_0000_fe00_1040L); // F_CD_FETCH
        ScriptedPipeline.Report r = pipeline.reports.get(0);
        assertThat(r.flags()).isEqualTo(UnrecoverableFault.FETCH_ADDR_VALID);
        assertThat(r.fetchAddress()).isEqualTo(0xfe00_1040L);
        assertThat(r.address()).isZero();
    }

    @Test
    void rejectedAndUnhandledReportsArePrintedButDeliveredOnesAreNot() {
        long dw1 = (long) EventRecord.CLASS_IN << EventRecord.EVTQ_1_CLASS_SHIFT;
        driver.handleEvent(0x0000_0042_0000_0010L, dw1, 0x1000, 0);
        pipeline.outcome = ReportOutcome.REJECTED;
        driver.handleEvent(0x0000_0042_0000_0010L, dw1, 0x2000, 0);
        pipeline.outcome = ReportOutcome.NO_HANDLER;
        driver.handleEvent(0x0000_0042_0000_0010L, dw1 | EventRecord.EVTQ_1_STALL | 9, 0x3000, 0);
        assertThat(log.count("received")).isEqualTo(2);
        assertThat(log.lines()).anyMatch(l -> l.contains("client: gpu0") && l.contains("iova: 0x2000"));
        assertThat(log.lines()).anyMatch(l -> l.endsWith("write s1 \"Input address caused fault\" stall stag: 0x9"));
    }

    @Test
    void aReportThatThrowsIsLoggedAndTheThreadCarriesOn() {
        pipeline.throwOnReport = true;
        smmu.pageRequest(new PageRequestMessage(0x300, Pasid.NONE, false, false, true, false, true, 1, 0x1000));
        BackendRig.await(() -> driver.statistics().malformedRecords() == 1, "the failure to be counted");
        pipeline.throwOnReport = false;
        smmu.pageRequest(new PageRequestMessage(0x300, Pasid.NONE, false, false, true, false, true, 2, 0x2000));
        awaitReports(1);
        assertThat(log.lines()).anyMatch(l -> l.contains("not handled: java.lang.IllegalStateException"));
    }

    @Test
    void responsesForUnknownDevicesAreCountedNotThrown() {
        driver.sendPageResponse(DeviceId.parse("platform:nobody"), response(ResponseCode.SUCCESS, 1, Pasid.NONE));
        assertThat(driver.statistics().lostResponses()).isEqualTo(1);
    }

    @Test
    void attachmentsAreToldToTheCoreAndStage2TakesOverThePasidLessRoute() {
        driver.attachStage1(GPU, Pasid.NONE, Domain.unmanaged("gpu0"),
                dev.faultline.platform.arm.TranslationTable.stage1(machine.frames(), 48));
        driver.attachStage1(GPU, 8, Domain.sva("p8"),
                dev.faultline.platform.arm.TranslationTable.stage1(machine.frames(), 48));
        assertThat(pipeline.attachments.get(GPU)).containsOnlyKeys(Pasid.NONE, 8);
        driver.attachStage2(GPU, Domain.unmanaged("gpu0-s2"), new dev.faultline.smmuv3.Stage2Tables(
                dev.faultline.platform.arm.TranslationTable.stage2(machine.frames(), 40).root(), 40, 1));
        assertThat(pipeline.attachments.get(GPU).get(Pasid.NONE).name()).isEqualTo("gpu0");
        driver.detach(GPU, Pasid.NONE);
        assertThat(pipeline.attachments.get(GPU).get(Pasid.NONE).name()).isEqualTo("gpu0-s2");
        driver.detach(GPU, 8);
        assertThat(pipeline.attachments.get(GPU)).containsOnlyKeys(Pasid.NONE);
    }

    @Test
    void stoppingClosesThePortAfterTheFaultThreadHasStopped() {
        driver.stop();
        assertThat(pipeline.calls).containsExactly("close");
        assertThat(driver.statistics().tookOver()).isFalse();
    }

    private static PageResponse response(ResponseCode code, int group, int pasid) {
        return new PageResponse() {
            @Override
            public ResponseCode code() {
                return code;
            }

            @Override
            public int groupId() {
                return group;
            }

            @Override
            public int pasid() {
                return pasid;
            }

            @Override
            public boolean hasPasid() {
                return pasid != Pasid.NONE;
            }

            @Override
            public boolean needsPasid() {
                return false;
            }

            @Override
            public long privateData0() {
                return 0;
            }

            @Override
            public long privateData1() {
                return 0;
            }
        };
    }
}
