package dev.faultline.faultlog;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The decoder never invents a field: a value it cannot read is absent from its fault, a report cut short before
 * it says who or where it faulted is no fault, and both are listed as problems and counted in the summary.
 */
class DecodeNeverInventsTest {
    private final LogDecoder decoder = new LogDecoder();

    private DecodedLog decode(String... lines) {
        return decoder.decode(List.of(lines));
    }

    @Test
    void aDmarAddressThatIsNotHexIsLeftOutNotReadAsZero() {
        DecodedLog log = decode("DMAR: [DMA Write NO_PASID] Request device [00:02.0] fault addr 0xnothex"
                + " [fault reason 0x05] PTE Write access is not set");
        DecodedFault f = log.faults().get(0);
        assertThat(f.determined(FaultField.ADDRESS)).isFalse();
        assertThat(f.text(FaultField.REQUESTER)).contains("00:02.0");
        assertThat(f.number(FaultField.REASON_CODE)).hasValue(5);
        assertThat(log.problems()).singleElement().asString()
                .isEqualTo("line 1: dmar-fault: fault addr '0xnothex' is not hexadecimal: left out");
        assertThat(f.toFault().orElseThrow()).satisfies(fault -> assertThat(
                ((dev.faultline.api.fault.UnrecoverableFault) fault).addressValid()).isFalse());
    }

    @Test
    void anInterruptIndexThatIsNotHexIsLeftOut() {
        DecodedLog log = decode("DMAR-IR: [INTR-REMAP] Request device [f0:1f.0] fault index 0x8g00"
                + " [fault reason 0x25] Blocked a compatibility format interrupt request");
        assertThat(log.faults().get(0).determined(FaultField.INDEX)).isFalse();
        assertThat(log.problems()).singleElement().asString().contains("fault index '0x8g00'");
    }

    @Test
    void aDmarLineCutShortBeforeItsAddressIsNoFault() {
        DecodedLog log = decode("DMAR: [DMA Read NO_PASID] Request device [00:02.0]");
        assertThat(log.faults()).isEmpty();
        assertThat(log.ignoredLines()).isEqualTo(1);
        assertThat(log.problems()).singleElement().asString().contains("cut short", "not a fault");
    }

    @Test
    void anSmmuV3HeaderAloneIsNoFault() {
        DecodedLog log = decode("arm-smmu-v3 arm-smmu-v3.0.auto: event 0x10 received:", "unrelated line");
        assertThat(log.faults()).isEmpty();
        assertThat(log.ignoredLines()).isEqualTo(2);
        assertThat(log.problems()).singleElement().asString()
                .startsWith("line 1: smmuv3-event: event 0x10 header without its record");
    }

    @Test
    void anUnreadableDwordEndsTheRecordSoNoLaterDwordTakesItsPlace() {
        String p = "arm-smmu-v3 a.smmu: ";
        DecodedLog log = decode(p + "event 0x10 received:", p + "0x0000004200005810", p + "0x00000188zz000007",
                p + "0x0000ffff80001234", p + "0x0000000040001000");
        DecodedFault f = log.faults().get(0);
        assertThat(f.number(FaultField.SID)).hasValue(0x42);
        // dw2 (the address) must not be read as dw1, nor dw3 as the address.
        assertThat(f.determined(FaultField.STAG)).isFalse();
        assertThat(f.determined(FaultField.ADDRESS)).isFalse();
        assertThat(f.record().size()).isZero();
        assertThat(log.problems()).singleElement().asString().contains("dword 1");
    }

    @Test
    void aDecodedSmmuV3LineKeepsTheValuesItCanReadAndListsTheOthers() {
        DecodedLog log = decode("arm-smmu-v3 a.smmu: event: F_TRANSLATION client: 0000:01:00.0 sid: 0x100 ssid: 0x0"
                + " iova: 0x8000f000 ipa: 0xnope");
        DecodedFault f = log.faults().get(0);
        assertThat(f.number(FaultField.ADDRESS)).hasValue(0x8000f000L);
        assertThat(f.determined(FaultField.IPA)).isFalse();
        assertThat(log.problems()).singleElement().asString().contains("ipa '0xnope'");
    }

    @Test
    void aContextFaultWithAnUnreadableValueIsListed() {
        DecodedLog log = decode("arm-smmu 15000000.iommu: Unhandled context fault: fsr=0x402, iova=0xzz,"
                + " fsynr=0x32, cbfrsynra=0x1c00, cb=5");
        assertThat(log.faults()).isEmpty();
        assertThat(log.problems()).singleElement().asString().startsWith("line 1: smmu-context-fault:");
    }

    @Test
    void msmValuesThatAreNotHexAreLeftOutAndWithoutAnIovaThereIsNoFault() {
        DecodedLog log = decode("*** gpu fault: ttbr0=zz iova=0000000001074000 dir=WRITE type=TRANSLATION source=CP"
                + " (0,0,0,0)", "*** gpu fault: ttbr0=0001000123456000 iova=none dir=WRITE type=TRANSLATION"
                + " source=CP (0,0,0,0)");
        assertThat(log.faults()).singleElement().satisfies(f -> {
            assertThat(f.determined(FaultField.TTBR0)).isFalse();
            assertThat(f.number(FaultField.ADDRESS)).hasValue(0x1074000);
        });
        assertThat(log.problems()).extracting(Object::toString).containsExactly(
                "line 1: msm-gpu-fault: ttbr0 'zz' is not hexadecimal: left out",
                "line 2: msm-gpu-fault: iova 'none' is not hexadecimal: left out",
                "line 2: msm-gpu-fault: no readable iova: not a fault");
    }

    @Test
    void unreadableAmdRemoteprocAndPageRequestReportsAreListed() {
        DecodedLog log = decode("AMD-Vi: Event logged [IO_PAGE_FAULT device=05:00.0 domain=0x000e address=0xqq"
                + " flags=0x0020]", "remoteproc remoteproc0: iommu fault: da 0xwrong flags 0x1",
                "dmar1: Invalid page request: 0000000x 00001001");
        assertThat(log.faults()).isEmpty();
        assertThat(log.problems()).extracting(DecodeProblem::format).containsExactly(FaultFormat.AMD_IO_PAGE_FAULT,
                FaultFormat.REMOTEPROC_CRASH, FaultFormat.PRQ);
    }

    @Test
    void theDecodeCommandCountsWhatItLeftOutInTheSummaryAndOnStandardErrorForJson() {
        String log = "DMAR: [DMA Write NO_PASID] Request device [00:02.0] fault addr 0xnothex [fault reason 0x05]"
                + " PTE Write access is not set\narm-smmu-v3 a.smmu: event 0x10 received:\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new DecodeCommand().run(new String[] {"-"}, stdin(log), new PrintStream(out, true), new PrintStream(err, true));
        assertThat(code).isEqualTo(DecodeCommand.OK);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains(
                "1 fault in 2 lines, 1 line not recognised, 2 unreadable (left out):\n"
                + "  line 1: dmar-fault: fault addr '0xnothex' is not hexadecimal: left out\n"
                + "  line 2: smmuv3-event: event 0x10 header without its record");

        out.reset();
        new DecodeCommand().run(new String[] {"--json", "-"}, stdin(log), new PrintStream(out, true), new PrintStream(err, true));
        assertThat(out.toString(StandardCharsets.UTF_8).lines()).singleElement().asString().doesNotContain("address");
        assertThat(err.toString(StandardCharsets.UTF_8).lines()).hasSize(2)
                .allSatisfy(l -> assertThat(l).startsWith("decode: unreadable, left out: line "));
    }

    private static ByteArrayInputStream stdin(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }
}
