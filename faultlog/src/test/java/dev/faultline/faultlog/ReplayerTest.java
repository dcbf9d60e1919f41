package dev.faultline.faultlog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.backend.ReportOutcome;
import dev.faultline.api.fault.Fault;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.PlatformDeviceName;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.fault.StreamId;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Replaying decoded logs through a fault pipeline, against stand-ins that answer well and badly. */
class ReplayerTest {
    private static final String P = "arm-smmu-v3 arm-smmu-v3.0.auto: ";
    /** A stalled F_TRANSLATION (in a stage-1 walk: sid 0x42, ssid 5, stag 7), an unstalled one, a DMAR fault, and two
     * reports that do not convert. */
    private static final List<String> MIXED = List.of(
            P + "event 0x10 received:", P + "0x0000004200005810", P + "0x0000018880000007", P + "0x0000ffff80001234",
            P + "0x0000000040001000",
            P + "event 0x10 received:", P + "0x0000030000000010", P + "0x0000020000000000", P + "0x000000008000a2c0",
            P + "0x0000000000000000",
            "DMAR: [DMA Write NO_PASID] Request device [00:02.0] fault addr 0x7f001000 [fault reason 0x05] PTE Write"
                    + " access is not set",
            "*** gpu fault: ttbr0=0001000123456000 iova=0000000000100000 dir=WRITE type=TRANSLATION source=CP (0,0,0,1)",
            "DMAR: [INTR-REMAP] Request device [00:1f.0] fault index 0x1f [fault reason 0x22] Present field in the"
                    + " IRTE entry is clear");

    private final DecodedLog mixed = new LogDecoder().decode(MIXED);

    @Test
    void replaysEveryConvertibleFaultInOrderAndCountsTheRest() {
        FakePipeline pipeline = new FakePipeline();
        ReplayReport report = new Replayer(pipeline).replay(mixed, ReplayOptions.defaults());

        assertThat(report.decoded()).isEqualTo(5);
        assertThat(report.replayed()).isEqualTo(3);
        assertThat(report.notReplayed()).containsExactly(Map.entry("msm-gpu-fault: the log names no device", 1),
                Map.entry("dmar-intr-remap: an interrupt-remapping fault is not a DMA fault", 1));
        assertThat(pipeline.reported).containsExactlyElementsOf(mixed.faults().subList(0, 3).stream()
                .map(f -> {
                    Fault logged = f.toFault().orElseThrow();
                    return ReplayNamespace.on(ReplayNamespace.deviceOf(f, logged), logged);
                }).toList());
        assertThat(report.outcomes()).containsExactly(Map.entry(ReportOutcome.NO_HANDLER, 3));
        assertThat(report.responses()).containsExactly(Map.entry(ResponseCode.INVALID, 1));
        assertThat(report.awaitedResponses()).isEqualTo(1);
        assertThat(report.clean()).isTrue();
        assertThat(pipeline.events).containsExactly("connect replay",
                "add platform:replay/arm-smmu-v3.0.auto/sid:0x42", "add platform:replay/arm-smmu-v3.0.auto/sid:0x300",
                "add platform:replay/0000:00:02.0", "close");
        assertThat(pipeline.attachments).isEmpty();
        assertThat(report.render()).isEqualTo("""
                faults decoded:   5
                device:           sid:0x42 as platform:replay/arm-smmu-v3.0.auto/sid:0x42
                device:           sid:0x300 as platform:replay/arm-smmu-v3.0.auto/sid:0x300
                device:           0000:00:02.0 as platform:replay/0000:00:02.0
                faults replayed:  3
                not replayed:     1 (msm-gpu-fault: the log names no device)
                not replayed:     1 (dmar-intr-remap: an interrupt-remapping fault is not a DMA fault)
                outcomes:         NO_HANDLER=3
                responses:        INVALID=1 (1 owed)
                """);
    }

    @Test
    void attachesEachDeviceWithoutPasidAndAtEveryPasidItsFaultsCarry() {
        FakePipeline pipeline = new FakePipeline();
        Domain gpu = Domain.unmanaged("gpu0");
        Domain dma = Domain.dma("host");
        ReplayReport report = new Replayer(pipeline).replay(mixed,
                ReplayOptions.defaults().attach(new StreamId(0x42), gpu).attachEveryDevice(dma));

        assertThat(pipeline.attachments.get(new PlatformDeviceName("replay/arm-smmu-v3.0.auto/sid:0x42")))
                .containsOnly(Map.entry(Pasid.NONE, gpu), Map.entry(5, gpu));
        assertThat(pipeline.attachments.get(new PlatformDeviceName("replay/arm-smmu-v3.0.auto/sid:0x300")))
                .containsOnly(Map.entry(Pasid.NONE, dma));
        assertThat(report.outcome(ReportOutcome.DELIVERED)).isEqualTo(2);
    }

    @Test
    void waitsForAnswersThatComeFromAnotherThread() {
        ReplayReport report = new Replayer(new FakePipeline.LateAnsweringPipeline()).replay(mixed,
                ReplayOptions.defaults().withResponseTimeout(Duration.ofMinutes(1)));
        assertThat(report.responses()).containsExactly(Map.entry(ResponseCode.SUCCESS, 1));
        assertThat(report.outcome(ReportOutcome.DISPATCHED)).isEqualTo(1);
        assertThat(report.clean()).isTrue();
    }

    @Test
    void groupsStillPendingAreAnsweredByDisconnecting() {
        ReplayReport report = new Replayer(new FakePipeline.NeverAnsweringPipeline()).replay(mixed,
                ReplayOptions.defaults().withResponseTimeout(Duration.ZERO));
        assertThat(report.responses()).containsExactly(Map.entry(ResponseCode.INVALID, 1));
        assertThat(report.unanswered()).isZero();
        assertThat(report.clean()).isTrue();
    }

    @Test
    void aPipelineThatLosesGroupsIsReportedUnclean() {
        ReplayReport report = new Replayer(new FakePipeline.GroupLosingPipeline()).replay(mixed,
                ReplayOptions.defaults().withResponseTimeout(Duration.ZERO));
        assertThat(report.unanswered()).isEqualTo(1);
        assertThat(report.clean()).isFalse();
        assertThat(report.render()).contains("UNANSWERED:       1");
    }

    @Test
    void duplicateAnswersAreCounted() {
        ReplayReport report = new Replayer(new FakePipeline.DoubleAnsweringPipeline()).replay(mixed,
                ReplayOptions.defaults());
        assertThat(report.extraResponses()).isEqualTo(1);
        assertThat(report.responses(ResponseCode.SUCCESS)).isEqualTo(2);
        assertThat(report.clean()).isFalse();
    }

    @Test
    void aRefusedConnectionIsReportedNotThrown() {
        ReplayReport report = new Replayer(new FakePipeline.RefusingPipeline()).replay(mixed,
                ReplayOptions.defaults().withBackendName("replay7"));
        assertThat(report.replayed()).isZero();
        assertThat(report.notReplayed()).containsEntry("not connected", 3);
        assertThat(report.errors()).singleElement().asString().contains("replay7", "is connected");
    }

    @Test
    void faultsOfADeviceThePipelineRejectsAreSkipped() {
        ReplayReport report = new Replayer(new FakePipeline.DeviceRejectingPipeline()).replay(mixed,
                ReplayOptions.defaults());
        assertThat(report.replayed()).isZero();
        assertThat(report.notReplayed()).containsEntry("the pipeline did not add the device", 3);
        assertThat(report.errors()).hasSize(3);
        assertThat(report.clean()).isFalse();
    }

    @Test
    void aPartialPageRequestIsParkedAndOwesNoAnswerOfItsOwn() {
        // Two requests of VT-d group 0x12 from 03:00.0: the first without LPIG, the second the last one.
        DecodedLog log = new LogDecoder().decode(List.of("dmar0: Invalid page request: 00000001 7f0000400093",
                "dmar0: Invalid page request: 00000001 7f0000401097"));
        FakePipeline pipeline = new FakePipeline();
        ReplayReport report = new Replayer(pipeline).replay(log, ReplayOptions.defaults());
        assertThat(report.outcomes()).containsExactly(Map.entry(ReportOutcome.PARKED, 1),
                Map.entry(ReportOutcome.NO_HANDLER, 1));
        assertThat(report.awaitedResponses()).isEqualTo(1);
        assertThat(report.responses()).containsExactly(Map.entry(ResponseCode.INVALID, 1));
    }

    @Test
    void theOptionsRejectNonsense() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ReplayOptions.defaults().withBackendName(" "))
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> ReplayOptions.defaults().withResponseTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
