package dev.faultline.faultlog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.fault.HardwareRecord;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Decoding of every format from hand-computed vectors and the lines Linux prints (arm-smmu-v3, DMAR, PRQ, arm-smmu,
 * msm, remoteproc, AMD-Vi), including reserved and unknown codes.
 */
class LogDecoderTest {
    private final LogDecoder decoder = new LogDecoder();

    private DecodedLog decode(String... lines) {
        return decoder.decode(List.of(lines));
    }

    private DecodedFault only(String... lines) {
        DecodedLog log = decode(lines);
        assertThat(log.faults()).as(JsonLines.toJsonLines(log)).hasSize(1);
        return log.faults().get(0);
    }

    private static String json(DecodedFault f) {
        return JsonLines.toJson(f);
    }

    @Nested
    class SmmuV3Events {
        private static final String P = "arm-smmu-v3 arm-smmu-v3.0.auto: ";

        @Test
        void rawDumpAndDecodedLinesAreOneFault() {
            // F_TRANSLATION, stage 1, unprivileged write
            DecodedLog log = decode(P + "event 0x10 received:", P + "\t0x0000030000000010", P + "\t0x0000020000000000",
                    P + "\t0x000000008000a2c0", P + "\t0x0000000000000000",
                    P + "event: F_TRANSLATION client: 0000:02:00.0 sid: 0x300 ssid: 0x0 iova: 0x8000a2c0 ipa: 0x0",
                    P + "unpriv data write s1 \"Input address caused fault\" stag: 0x0");
            assertThat(log.faults()).hasSize(1);
            assertThat(log.ignoredLines()).isZero();
            DecodedFault f = log.faults().get(0);
            assertThat(json(f)).isEqualTo("{\"format\":\"smmuv3-event\",\"device\":\"arm-smmu-v3.0.auto\",\"sid\":768,"
                    + "\"ssid\":null,\"event_id\":16,\"event\":\"F_TRANSLATION\",\"address\":\"0x8000a2c0\",\"ipa\":\"0x0\","
                    + "\"read\":false,\"write\":true,\"exec\":false,\"priv\":false,\"stall\":false,\"stag\":0,"
                    + "\"stage\":\"s1\",\"class\":\"IN\"}");
            assertThat(f.record()).isEqualTo(HardwareRecord.of("smmuv3-event", 0x0000030000000010L,
                    0x0000020000000000L, 0x000000008000a2c0L, 0));
            assertThat(f.line()).isEqualTo(1);
        }

        @Test
        void stalledStage2WalkFaultFromRawDwords() {
            // A stalled stage-2 fault during a stage-1 walk
            DecodedFault f = only(P + "event 0x10 received:", P + "0x0000004200005810", P + "0x0000018880000007",
                    P + "0x0000ffff80001234", P + "0x0000000040001000");
            assertThat(f.number(FaultField.SID)).hasValue(0x42);
            assertThat(f.number(FaultField.SSID)).hasValue(5);
            assertThat(f.flag(FaultField.STALL)).contains(true);
            assertThat(f.number(FaultField.STAG)).hasValue(7);
            assertThat(f.text(FaultField.STAGE)).contains("s2");
            assertThat(f.text(FaultField.CLASS)).contains("TT");
            assertThat(f.flag(FaultField.READ)).contains(true);
            assertThat(f.number(FaultField.ADDRESS)).hasValue(0xffff80001234L);
            assertThat(f.number(FaultField.IPA)).hasValue(0x40001000L);
        }

        @Test
        void decodedLinesAloneGiveTheSameFieldsExceptAZeroSubstreamId() {
            // stalled stage-2 fault as 6.14+ prints it, then stage-2 F_PERMISSION, ssid 0x0 ambiguous (SSV = 0 prints 0 too).
            DecodedLog log = decode(
                    P + "event: F_TRANSLATION client: (unassigned sid) sid: 0x42 ssid: 0x5 iova: 0xffff80001234 ipa: 0x40001000",
                    P + "unpriv data read s2 \"Stage 1 translation table fetch\" stall stag: 0x7",
                    P + "event: F_PERMISSION client: (unassigned sid) sid: 0x3 ssid: 0x0 iova: 0x12345000 ipa: 0x80002000",
                    P + "priv data write s2 \"Stage 1 translation table fetch\" ttd_write stag: 0x0");
            assertThat(log.faults()).hasSize(2);
            DecodedFault stall = log.faults().get(0);
            assertThat(stall.number(FaultField.EVENT_ID)).hasValue(0x10);
            assertThat(stall.number(FaultField.SSID)).hasValue(5);
            assertThat(stall.flag(FaultField.STALL)).contains(true);
            assertThat(stall.number(FaultField.STAG)).hasValue(7);
            assertThat(stall.text(FaultField.CLASS)).contains("TT");
            assertThat(stall.record()).isEqualTo(HardwareRecord.NONE);
            DecodedFault perm = log.faults().get(1);
            assertThat(perm.text(FaultField.EVENT)).contains("F_PERMISSION");
            assertThat(perm.determined(FaultField.SSID)).isFalse();
            assertThat(perm.flag(FaultField.PRIV)).contains(true);
            assertThat(perm.flag(FaultField.WRITE)).contains(true);
            assertThat(perm.number(FaultField.IPA)).hasValue(0x80002000L);
        }

        @Test
        void configurationAndFetchEventsDecodeOnlyTheirFields() {
            // Configuration and fetch events
            DecodedLog log = decode(P + "event 0x04 received:", P + "0x0000002000000004", P + "0x0000000000000000",
                    P + "0x0000000000000000", P + "0x0000000000000000", P + "event 0x09 received:",
                    P + "0x0000001000001809", P + "0x0000000000000000", P + "0x0000000000000000",
                    P + "0x00000000fe001040");
            assertThat(log.faults()).extracting(LogDecoderTest::json).containsExactly(
                    "{\"format\":\"smmuv3-event\",\"device\":\"arm-smmu-v3.0.auto\",\"sid\":32,\"ssid\":null,"
                            + "\"event_id\":4,\"event\":\"C_BAD_STE\"}",
                    "{\"format\":\"smmuv3-event\",\"device\":\"arm-smmu-v3.0.auto\",\"sid\":16,\"ssid\":1,"
                            + "\"event_id\":9,\"event\":\"F_CD_FETCH\",\"fetch_addr\":\"0xfe001040\"}");
        }

        @Test
        void aBadSubstreamIdIsReportedWithoutSsvAndStreamDisabledHasNoSubstreamField() {
            DecodedLog log = decode(P + "event 0x08 received:", P + "0x0000000100003008", P + "0x0", P + "0x0",
                    P + "0x0", P + "event 0x06 received:", P + "0x0000000100000806", P + "0x0", P + "0x0", P + "0x0");
            assertThat(log.faults().get(0).number(FaultField.SSID)).hasValue(3);
            assertThat(log.faults().get(1).determined(FaultField.SSID)).isFalse();
        }

        @Test
        void reservedAndImplementationDefinedEventNumbersAreNamedNotRejected() {
            DecodedLog log = decode(P + "event 0x3f received:", P + "0x000000070000003f", P + "0x0", P + "0x0",
                    P + "0x0", P + "event 0xe3 received:", P + "0x00000007000000e3", P + "0x0", P + "0x0", P + "0x0");
            assertThat(log.faults()).hasSize(2);
            assertThat(log.faults().get(0).text(FaultField.EVENT)).contains("UNKNOWN");
            assertThat(log.faults().get(0).number(FaultField.EVENT_ID)).hasValue(0x3f);
            assertThat(log.faults().get(1).text(FaultField.EVENT)).contains("IMPDEF_EVENT3");
            assertThat(log.faults().get(1).number(FaultField.SID)).hasValue(7);
        }

        @Test
        void aTruncatedDumpKeepsWhatItShows() {
            DecodedLog log = decode(P + "event 0x10 received:", P + "0x0000000100002810", P + "0x0000020880000b17",
                    "nvme nvme0: I/O 12 QID 3 timeout, aborting");
            DecodedFault f = log.faults().get(0);
            assertThat(f.number(FaultField.SSID)).hasValue(2);
            assertThat(f.number(FaultField.STAG)).hasValue(0xb17);
            assertThat(f.determined(FaultField.ADDRESS)).isFalse();
            assertThat(f.determined(FaultField.IPA)).isFalse();
            assertThat(f.record()).isEqualTo(HardwareRecord.NONE);
            assertThat(log.ignoredLines()).isEqualTo(1);
        }

        @Test
        void dumpsOfTwoSmmusInterleavedAreToldApart() {
            String a = "arm-smmu-v3 a.smmu: ";
            String b = "arm-smmu-v3 b.smmu: ";
            DecodedLog log = decode(a + "event 0x02 received:", b + "event 0x02 received:", a + "0x0000000100000002",
                    b + "0x0000000200000002", a + "0x0", b + "0x0", a + "0x0", b + "0x0", a + "0x0", b + "0x0");
            assertThat(log.faults()).extracting(f -> f.text(FaultField.DEVICE).orElseThrow() + " "
                    + f.number(FaultField.SID).getAsLong()).containsExactly("a.smmu 1", "b.smmu 2");
            assertThat(log.ignoredLines()).isZero();
        }

        @Test
        void aDwordLineWithoutItsHeaderIsNotAFault() {
            DecodedLog log = decode(P + "0x0000000100000002");
            assertThat(log.faults()).isEmpty();
            assertThat(log.ignoredLines()).isEqualTo(1);
        }
    }

    @Nested
    class ContextFaults {
        private static final String P = "arm-smmu 5000000.iommu: ";

        @Test
        void summaryWithFsrAndFsynrLinesIsOneStalledWrite() {
            // A stalled write translation fault
            DecodedLog log = decode(
                    P + "Unhandled context fault: fsr=0x40000002, iova=0x00001000, fsynr=0x11, cbfrsynra=0x21, cb=3",
                    P + "FSR    = 40000002 [SS Format=0 TF], SID=0x21", P + "FSYNR0 = 00000011 [S1CBNDX=0 WNR PLVL=1]");
            assertThat(log.ignoredLines()).isZero();
            assertThat(json(log.faults().get(0))).isEqualTo("{\"format\":\"smmu-context-fault\",\"device\":"
                    + "\"5000000.iommu\",\"sid\":33,\"address\":\"0x1000\",\"read\":false,\"write\":true,\"exec\":false,"
                    + "\"priv\":false,\"stall\":true,\"fsr\":\"0x40000002\",\"fsr_flags\":[\"TF\",\"SS\"],"
                    + "\"fsynr\":\"0x11\",\"cbfrsynra\":\"0x21\",\"cb\":3}");
        }

        @Test
        void privilegedInstructionFetchPermissionFault() {
            // A permission fault from a privileged instruction fetch
            DecodedFault f = only(
                    P + "Unhandled context fault: fsr=0x8, iova=0x80000000, fsynr=0x30063, cbfrsynra=0x5, cb=0");
            assertThat(f.names(FaultField.FSR_FLAGS)).containsExactly("PF");
            assertThat(f.flag(FaultField.PRIV)).contains(true);
            assertThat(f.flag(FaultField.EXEC)).contains(true);
            assertThat(f.flag(FaultField.READ)).contains(true);
        }

        @Test
        void theOldFormWithoutCbfrsynraDeterminesNoStreamId() {
            DecodedFault f = only(P + "Unhandled context fault: fsr=0x402, iova=0x10000, fsynr=0x0, cb=1");
            assertThat(f.determined(FaultField.SID)).isFalse();
            assertThat(f.number(FaultField.CB)).hasValue(1);
        }

        @Test
        void reservedFsrBitsStayInTheRawValueButGetNoName() {
            DecodedFault f = only(P + "Unhandled context fault: fsr=0x80000c02, iova=0x0, fsynr=0x0, cbfrsynra=0x1, cb=1");
            assertThat(f.names(FaultField.FSR_FLAGS)).containsExactly("TF", "MULTI");
            assertThat(f.number(FaultField.FSR)).hasValue(0x80000c02L);
        }

        @Test
        void aSummaryTheMailerWrappedIsJoined() {
            DecodedLog log = decode("> " + P + "Unhandled context fault: fsr=0x402, iova=0x3165687460,",
                    "> fsynr=0x20001, cbfrsynra=0x877, cb=1");
            assertThat(log.faults()).hasSize(1);
            assertThat(log.faults().get(0).number(FaultField.SID)).hasValue(0x877);
            assertThat(log.ignoredLines()).isZero();
        }

        @Test
        void fsrLinesOfAnotherFaultAreNotTakenIn() {
            DecodedLog log = decode(P + "Unhandled context fault: fsr=0x402, iova=0x0, fsynr=0x0, cbfrsynra=0x1, cb=1",
                    P + "FSR    = 00000408 [Format=2 PF], SID=0x1");
            assertThat(log.faults()).hasSize(1);
            assertThat(log.ignoredLines()).isEqualTo(1);
        }
    }

    @Nested
    class DmarFaults {
        @Test
        void currentAndOldestFormsOfALegacyWriteFaultAgree() {
            // FRCD, legacy write fault
            DecodedLog log = decode("DMAR: DRHD: handling fault status reg 2",
                    "DMAR: [DMA Write NO_PASID] Request device [00:02.0] fault addr 0x7f001000 [fault reason 0x05]"
                            + " PTE Write access is not set",
                    "DMAR: [DMA Write] Request device [00:02.0] fault addr 7f001000 [fault reason 05] PTE Write access"
                            + " is not set");
            assertThat(log.ignoredLines()).isEqualTo(1);
            assertThat(log.faults()).extracting(LogDecoderTest::json).containsExactly(
                    "{\"format\":\"dmar-fault\",\"requester\":\"00:02.0\",\"pasid\":null,\"address\":\"0x7f001000\","
                            + "\"read\":false,\"write\":true,\"reason_code\":5,\"reason\":\"PTE Write access is not set\","
                            + "\"fault_type\":\"DMA_REMAP\",\"type\":\"DMA Write\"}",
                    "{\"format\":\"dmar-fault\",\"requester\":\"00:02.0\",\"address\":\"0x7f001000\","
                            + "\"read\":false,\"write\":true,\"reason_code\":5,\"reason\":\"PTE Write access is not set\","
                            + "\"fault_type\":\"DMA_REMAP\",\"type\":\"DMA Write\"}");
        }

        @Test
        void scalableModeFaultWithPasid() {
            // FRCD, first-level not present, with PASID
            DecodedFault f = only("DMAR: [DMA Read PASID 0x1] Request device [03:00.0] fault addr 0x7fffdeadb000"
                    + " [fault reason 0x71] SM: Present bit in first-level paging entry is clear");
            assertThat(f.number(FaultField.PASID)).hasValue(1);
            assertThat(f.number(FaultField.REASON_CODE)).hasValue(0x71);
            assertThat(f.text(FaultField.REASON)).contains("SM: Present bit in first-level paging entry is clear");
            assertThat(f.flag(FaultField.READ)).contains(true);
        }

        @Test
        void pasidEraFormWithAPasid() {
            DecodedFault f = only("DMAR: [DMA Read] Request device [00:02.0] PASID 2a fault addr 9c000000"
                    + " [fault reason 06] PTE Read access is not set");
            assertThat(f.number(FaultField.PASID)).hasValue(0x2a);
        }

        @Test
        void interruptRemappingFaultInCurrentAndDecimalForms() {
            // FRCD, interrupt remapping
            DecodedLog log = decode("DMAR: [INTR-REMAP] Request device [00:1f.0] fault index 0x1f [fault reason 0x22]"
                            + " Present field in the IRTE entry is clear",
                    "DMAR: [INTR-REMAP] Request device [00:1f.0] fault index 1f [fault reason 34] Present field in the"
                            + " IRTE entry is clear");
            String expected = "{\"format\":\"dmar-intr-remap\",\"requester\":\"00:1f.0\",\"reason_code\":34,"
                    + "\"reason\":\"Present field in the IRTE entry is clear\",\"fault_type\":\"INTR_REMAP\","
                    + "\"type\":\"INTR-REMAP\",\"index\":\"0x1f\"}";
            assertThat(log.faults()).extracting(LogDecoderTest::json).containsExactly(expected, expected);
        }

        @Test
        void reasonsInNoTableAreUnknownWithTheirNumber() {
            DecodedLog log = decode("DMAR: [DMA Read NO_PASID] Request device [00:02.0] fault addr 0x1000"
                            + " [fault reason 0x91] Unknown",
                    "DMAR: [DMA Read NO_PASID] Request device [00:02.0] fault addr 0x1000 [fault reason 0x33] Unknown");
            assertThat(log.faults()).hasSize(2);
            DecodedFault outside = log.faults().get(0);
            assertThat(outside.number(FaultField.REASON_CODE)).hasValue(0x91);
            assertThat(outside.text(FaultField.REASON)).contains("Unknown");
            assertThat(outside.text(FaultField.FAULT_TYPE)).contains("UNKNOWN");
            DecodedFault filler = log.faults().get(1);
            assertThat(filler.text(FaultField.REASON)).contains("Unknown");
            assertThat(filler.text(FaultField.FAULT_TYPE)).contains("DMA_REMAP");
        }

        @Test
        void aFaultLineCutBeforeItsReasonIsStillAFault() {
            DecodedLog log = decode("DMAR: [DMA Write NO_PASID] Request device [00:02.0] fault addr 0x1000",
                    "usb 1-1: new high-speed USB device number 2 using xhci_hcd");
            assertThat(log.faults()).hasSize(1);
            assertThat(log.faults().get(0).determined(FaultField.REASON_CODE)).isFalse();
            assertThat(log.faults().get(0).number(FaultField.ADDRESS)).hasValue(0x1000);
            assertThat(log.ignoredLines()).isEqualTo(1);
        }
    }

    @Nested
    class PageRequests {
        @Test
        void reasonLineAndDumpAreOneRequest() {
            // A page request, its trace text and response, PMR = 1
            DecodedLog log = decode("IOMMU: dmar0: Page request in Privilege Mode",
                    "dmar0: Invalid page request: 20000503000101 7f0000401097");
            assertThat(log.ignoredLines()).isZero();
            DecodedFault f = log.faults().get(0);
            assertThat(json(f)).isEqualTo("{\"format\":\"prq\",\"device\":\"dmar0\",\"requester\":\"03:00.0\","
                    + "\"pasid\":5,\"address\":\"0x7f0000401000\",\"read\":true,\"write\":true,\"exec\":false,"
                    + "\"priv\":true,\"reason\":\"Page request in Privilege Mode\"}");
            assertThat(f.record()).isEqualTo(HardwareRecord.of("vtd-prq", 0x0020000503000101L, 0x00007f0000401097L));
        }

        @Test
        void aDumpWithoutReasonIsAFaultAndAReasonWithoutDumpIsNone() {
            DecodedLog log = decode("dmar1: Invalid page request: 00000001 00001001", "IOMMU: dmar1: Address is not canonical",
                    "Execution request not supported");
            assertThat(log.faults()).singleElement().satisfies(f -> {
                assertThat(f.determined(FaultField.REASON)).isFalse();
                assertThat(f.assertedNone(FaultField.PASID)).isTrue();
            });
            assertThat(log.ignoredLines()).isEqualTo(2);
            assertThat(log.problems()).extracting(DecodeProblem::line).containsExactly(2, 3);
            assertThat(log.problems().get(0).problem()).contains("Address is not canonical", "not a fault");
        }

        @Test
        void overflowMessagesAreNotFaults() {
            DecodedLog log = decode("IOMMU: dmar0: PRQ overflow detected", "IOMMU: dmar0: PRQ overflow cleared");
            assertThat(log.faults()).isEmpty();
            assertThat(log.ignoredLines()).isEqualTo(2);
        }
    }

    @Nested
    class AmdPageFaults {
        @Test
        void driverPrefixNamesTheDevice() {
            // A write to a non-present page
            DecodedFault f = only("amdgpu 0000:03:00.0: AMD-Vi: Event logged [IO_PAGE_FAULT domain=0x000e"
                    + " address=0xfffc8000 flags=0x0020]");
            assertThat(json(f)).isEqualTo("{\"format\":\"amd-io-page-fault\",\"device\":\"0000:03:00.0\","
                    + "\"pasid\":null,\"address\":\"0xfffc8000\",\"read\":false,\"write\":true,\"domain\":\"0xe\","
                    + "\"flags\":\"0x20\",\"flag_names\":[\"RW\"]}");
        }

        @Test
        void interruptRequestsHaveNoDirectionAndGuestFaultsNoKnownPasid() {
            DecodedLog log = decode(
                    "AMD-Vi: Event logged [IO_PAGE_FAULT device=0000:00:13.1 domain=0x0000 address=0xfee00000 flags=0x0008]",
                    "AMD-Vi: Event logged [IO_PAGE_FAULT device=00:13.1 domain=0x0007 address=0x7f00 flags=0x0e15]");
            DecodedFault intr = log.faults().get(0);
            assertThat(intr.text(FaultField.DEVICE)).contains("0000:00:13.1");
            assertThat(intr.determined(FaultField.READ)).isFalse();
            assertThat(intr.names(FaultField.FLAG_NAMES)).containsExactly("I");
            DecodedFault guest = log.faults().get(1);
            assertThat(guest.determined(FaultField.PASID)).isFalse();
            assertThat(guest.names(FaultField.FLAG_NAMES)).containsExactly("GN", "US", "PR");
            assertThat(guest.number(FaultField.FLAGS)).hasValue(0xe15);
        }

        @Test
        void otherEventTypesAndTheOldAmdIommuPrefix() {
            DecodedLog log = decode("AMD-Vi: Event logged [INVALID_DEVICE_REQUEST device=0000:00:00.0 pasid=0x00000"
                            + " address=0x0 flags=0x0a00]",
                    "AMD IOMMU: Event logged [IO_PAGE_FAULT device=02:00.0 domain=0x0001 address=0x0000000000001000"
                            + " flags=0x0000]");
            assertThat(log.faults()).hasSize(1);
            assertThat(log.faults().get(0).text(FaultField.DEVICE)).contains("02:00.0");
            assertThat(log.ignoredLines()).isEqualTo(1);
        }
    }

    @Nested
    class MsmGpuFaults {
        @Test
        void fullLine() {
            // An msm line
            DecodedFault f = only("*** gpu fault: ttbr0=0001000123456000 iova=0000000000100000 dir=WRITE"
                    + " type=TRANSLATION source=CP (0,0,0,1)");
            assertThat(json(f)).isEqualTo("{\"format\":\"msm-gpu-fault\",\"address\":\"0x100000\",\"read\":false,"
                    + "\"write\":true,\"type\":\"TRANSLATION\",\"ttbr0\":\"0x1000123456000\",\"source\":\"CP\"}");
        }

        @Test
        void fallbackFormsWithFlags() {
            DecodedLog log = decode("*** gpu fault: iova=0000000000001000 flags=1 (0,0,0,0)",
                    "*** gpu fault: iova=00002000, flags=0 (0,0,0,0)", "*** fault: iova=           3000, flags=1");
            assertThat(log.faults()).extracting(f -> f.number(FaultField.ADDRESS).getAsLong() + " "
                    + f.flag(FaultField.WRITE).orElseThrow()).containsExactly("4096 true", "8192 false", "12288 true");
        }

        @Test
        void hangCheckMessageIsNotAnIommuFault() {
            DecodedLog log = decode("adreno 3d00000.gpu: [drm:a6xx_irq] *ERROR* gpu fault ring 0 fence 814 status"
                    + " 00800005 rb 016b/0215 ib1 000000010000B000/0000 ib2 0000000000000000/0000");
            assertThat(log.faults()).isEmpty();
        }
    }

    @Nested
    class RemoteprocCrashes {
        @Test
        void iommuFaultLineBelongsToTheMmufaultCrash() {
            // Remoteproc through arm-smmu
            DecodedLog log = decode("(NULL device *): iommu fault: da 0x80000000 flags 0x1",
                    "arm-smmu 5000000.iommu: Unhandled context fault: fsr=0x402, iova=0x80000000, fsynr=0x11,"
                            + " cbfrsynra=0x21, cb=3",
                    "remoteproc remoteproc0: crash detected in adsp: type mmufault",
                    "remoteproc remoteproc0: handling crash #1 in adsp", "remoteproc remoteproc0: recovering adsp");
            assertThat(log.faults()).extracting(f -> f.format()).containsExactly(FaultFormat.SMMU_CONTEXT_FAULT,
                    FaultFormat.REMOTEPROC_CRASH);
            assertThat(json(log.faults().get(1))).isEqualTo("{\"format\":\"remoteproc-crash\",\"device\":"
                    + "\"remoteproc0\",\"read\":false,\"write\":true,\"flags\":\"0x1\",\"rproc\":\"adsp\","
                    + "\"crash_type\":\"mmufault\",\"da\":\"0x80000000\"}");
            assertThat(log.ignoredLines()).isEqualTo(2);
        }

        @Test
        void anIommuFaultWithoutMmufaultCrashIsAReportOfItsOwn() {
            DecodedLog log = decode("(NULL device *): iommu fault: da 0x1000 flags 0x0",
                    "remoteproc remoteproc1: crash detected in 17300000.remoteproc: type fatal error");
            assertThat(log.faults()).hasSize(2);
            assertThat(log.faults().get(0).number(FaultField.DA)).hasValue(0x1000);
            assertThat(log.faults().get(0).determined(FaultField.CRASH_TYPE)).isFalse();
            assertThat(log.faults().get(1).text(FaultField.RPROC)).contains("17300000.remoteproc");
            assertThat(log.faults().get(1).text(FaultField.CRASH_TYPE)).contains("fatal error");
        }
    }
}
