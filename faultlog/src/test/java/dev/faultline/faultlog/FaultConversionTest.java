package dev.faultline.faultlog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.fault.Fault;
import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.PciRequesterId;
import dev.faultline.api.fault.Permission;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.PlatformDeviceName;
import dev.faultline.api.fault.StreamId;
import dev.faultline.api.fault.UnrecoverableFault;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Decoded reports become faults of the fault model exactly as far as the log determines them. */
class FaultConversionTest {
    private static final String P = "arm-smmu-v3 arm-smmu-v3.0.auto: ";
    private final LogDecoder decoder = new LogDecoder();

    private FaultConversion convert(String... lines) {
        List<DecodedFault> faults = decoder.decode(List.of(lines)).faults();
        assertThat(faults).hasSize(1);
        return faults.get(0).convert();
    }

    private Fault fault(String... lines) {
        FaultConversion c = convert(lines);
        assertThat(c).isInstanceOf(FaultConversion.Converted.class);
        return c.fault().orElseThrow();
    }

    @Test
    void aStalledSmmuv3TranslationFaultIsAOneRequestPageGroupTaggedWithItsStag() {
        // Stalled stage-2 fault in a stage-1 walk: Linux reports it with grpid = 7, perm = READ, PASID 5, LAST_PAGE.
        Fault f = fault(P + "event 0x10 received:", P + "0x0000004200005810", P + "0x0000018880000007",
                P + "0x0000ffff80001234", P + "0x0000000040001000");
        assertThat(f).isEqualTo(PageRequest.last(new StreamId(0x42), 7, 0xffff80001234L, Permissions.READ)
                .withPasid(5, false));
    }

    @Test
    void anUnstalledSmmuv3FaultIsUnrecoverableAndCarriesItsRawRecord() {
        // F_TRANSLATION, stage 1, unprivileged write
        Fault f = fault(P + "event 0x10 received:", P + "0x0000030000000010", P + "0x0000020000000000",
                P + "0x000000008000a2c0", P + "0x0000000000000000");
        assertThat(f).isEqualTo(new UnrecoverableFault(new StreamId(0x300), UnrecoverableFault.ADDR_VALID, Pasid.NONE,
                Permissions.WRITE, 0x8000a2c0L, 0, HardwareRecord.of("smmuv3-event", 0x0000030000000010L,
                        0x0000020000000000L, 0x000000008000a2c0L, 0)));
    }

    @Test
    void aFetchAbortCarriesItsFetchAddressAndSubstream() {
        Fault f = fault(P + "event 0x09 received:", P + "0x0000001000001809", P + "0x0", P + "0x0",
                P + "0x00000000fe001040");
        UnrecoverableFault u = (UnrecoverableFault) f;
        assertThat(u.flags()).isEqualTo(UnrecoverableFault.PASID_VALID | UnrecoverableFault.FETCH_ADDR_VALID);
        assertThat(u.pasid()).isEqualTo(1);
        assertThat(u.fetchAddress()).isEqualTo(0xfe001040L);
    }

    @Test
    void aContextFaultNeedsItsStreamId() {
        Fault f = fault("arm-smmu 1.iommu: Unhandled context fault: fsr=0x8, iova=0x4000, fsynr=0x70, cbfrsynra=0x21,"
                + " cb=3");
        assertThat(f).isEqualTo(UnrecoverableFault.at(new StreamId(0x21), 0x4000,
                Permissions.of(Permission.WRITE, Permission.EXEC, Permission.PRIV)));
        assertThat(convert("arm-smmu 1.iommu: Unhandled context fault: fsr=0x8, iova=0x4000, fsynr=0x70, cb=3"))
                .isEqualTo(new FaultConversion.NotConvertible("the log shows no StreamID"));
    }

    @Test
    void aDmarFaultIsTheRequestersWithItsPasid() {
        // FRCD, first-level not present, with PASID
        Fault f = fault("DMAR: [DMA Read PASID 0x1] Request device [03:00.0] fault addr 0x7fffdeadb000 [fault reason"
                + " 0x71] SM: Present bit in first-level paging entry is clear");
        assertThat(f).isEqualTo(new UnrecoverableFault(new PciRequesterId(0, 3, 0, 0),
                UnrecoverableFault.PASID_VALID | UnrecoverableFault.ADDR_VALID, 1, Permissions.READ, 0x7fffdeadb000L, 0,
                HardwareRecord.NONE));
        assertThat(convert("DMAR:[DMA Read] Request device [xx:xx.x] fault addr 2affde000 DMAR:[fault reason 06] PTE"
                + " Read access is not set")).isInstanceOf(FaultConversion.NotConvertible.class);
    }

    @Test
    void aRejectedPageRequestKeepsItsGroupLastFlagAndPasid() {
        // A page request with PMR = 1: intel_prq_report sets PASID_VALID | RESPONSE_NEEDS_PASID.
        Fault f = fault("IOMMU: dmar0: Page request in Privilege Mode",
                "dmar0: Invalid page request: 20000503000101 7f0000401097");
        assertThat(f).isEqualTo(PageRequest.last(new PciRequesterId(0, 3, 0, 0), 0x12, 0x7f0000401000L,
                Permissions.of(Permission.READ, Permission.WRITE, Permission.PRIV)).withPasid(5, true));
        Fault partial = fault("dmar0: Invalid page request: 00000001 7f0000401093");
        assertThat(((PageRequest) partial).lastPage()).isFalse();
        assertThat(partial.pasid()).isEqualTo(Pasid.NONE);
    }

    @Test
    void aStopMarkerIsNotAPageRequest() {
        assertThat(convert("dmar0: Invalid page request: 0000000503000101 7f0000401094"))
                .isEqualTo(new FaultConversion.NotConvertible("a stop marker is not a page request"));
    }

    @Test
    void amdFaultsConvertOnlyForAKnownDeviceAndAMemoryRequest() {
        assertThat(fault("amdgpu 0000:03:00.0: AMD-Vi: Event logged [IO_PAGE_FAULT domain=0x000e address=0xfffc8000"
                + " flags=0x0020]")).isEqualTo(UnrecoverableFault.at(new PciRequesterId(0, 3, 0, 0), 0xfffc8000L,
                Permissions.WRITE));
        assertThat(convert("xhci_hcd: AMD-Vi: Event logged [IO_PAGE_FAULT domain=0x0005 address=0xffa09000"
                + " flags=0x0000]").fault()).isEmpty();
        assertThat(convert("AMD-Vi: Event logged [IO_PAGE_FAULT device=00:13.1 domain=0x0000 address=0xfee00000"
                + " flags=0x0008]").fault()).isEmpty();
        assertThat(convert("AMD-Vi: Event logged [IO_PAGE_FAULT device=00:13.1 domain=0x0007 address=0x7f00"
                + " flags=0x0001]").fault()).isEmpty();
    }

    @Test
    void aRemoteprocCrashConvertsOnlyWithAnIommuFaultAddress() {
        assertThat(fault("(NULL device *): iommu fault: da 0x80000000 flags 0x1",
                "remoteproc remoteproc0: crash detected in adsp: type mmufault"))
                .isEqualTo(UnrecoverableFault.at(new PlatformDeviceName("remoteproc0"), 0x80000000L,
                        Permissions.WRITE));
        assertThat(convert("remoteproc remoteproc2: crash detected in wpss: type watchdog"))
                .isEqualTo(new FaultConversion.NotConvertible("a crash without an IOMMU fault address"));
    }

    @Test
    void interruptRemappingAndGpuLinesDoNotConvert() {
        assertThat(convert("DMAR: [INTR-REMAP] Request device [00:1f.0] fault index 0x1f [fault reason 0x22] Present"
                + " field in the IRTE entry is clear").fault()).isEmpty();
        assertThat(convert("*** gpu fault: ttbr0=0001000123456000 iova=0000000000100000 dir=WRITE type=TRANSLATION"
                + " source=CP (0,0,0,1)")).isEqualTo(new FaultConversion.NotConvertible("the log names no device"));
    }

    @Test
    void aValueTheFaultModelRejectsIsReportedNotThrown() {
        DecodedFault wide = new DecodedFault(FaultFormat.DMAR_FAULT, 1,
                java.util.Map.of(FaultField.REQUESTER, "00:02.0", FaultField.PASID, 0x1fffffL), HardwareRecord.NONE);
        assertThat(wide.convert()).isInstanceOf(FaultConversion.NotConvertible.class);
        assertThat(((FaultConversion.NotConvertible) wide.convert()).reason()).contains("PASID 0x1fffff");
    }
}
