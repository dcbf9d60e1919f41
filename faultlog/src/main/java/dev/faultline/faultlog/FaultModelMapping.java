package dev.faultline.faultlog;

import dev.faultline.api.fault.DeviceId;
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
import dev.faultline.platform.smmuv3.EventType;
import java.util.OptionalLong;

/**
 * Turns a {@link DecodedFault} into Faultline's fault model, using only what the log determines:
 * <ul>
 *   <li>SMMUv3 events and SMMU v1/v2 context faults: the {@link StreamId}; a stalled translation event is a
 *       one-request page request group with the STAG as group id (as Linux reports stalls), any other event
 *       an unrecoverable fault carrying the raw dwords;</li>
 *   <li>VT-d DMA-remapping faults and AMD-Vi page faults: the PCI requester, segment 0 (the logs print
 *       none); rejected VT-d page requests: a page request with the descriptor's group index and last flag;</li>
 *   <li>remoteproc crashes: an unrecoverable fault at the IOMMU fault's device address, when the log has one.</li>
 * </ul>
 * Interrupt-remapping faults, msm GPU lines (they name no device) and crashes without an address are not
 * DMA faults of a known device and do not convert.
 */
final class FaultModelMapping {
    // struct page_req_dsc qword 1 (VT-d page request descriptor)
    private static final long QW1_LPIG = 1L << 2;
    private static final int QW1_PRG_INDEX_SHIFT = 3;
    private static final long QW1_PRG_INDEX = 0x1ffL;
    private static final long QW1_RD_WR = 0x3L;
    /** AMD {@code EVENT_FLAG_I}: an interrupt request. */
    private static final long AMD_FLAG_I = 0x008;

    private FaultModelMapping() {
    }

    static FaultConversion convert(DecodedFault f) {
        try {
            return switch (f.format()) {
                case SMMUV3_EVENT -> smmuv3(f);
                case SMMU_CONTEXT_FAULT -> streamFault(f);
                case DMAR_FAULT -> pciFault(f);
                case AMD_IO_PAGE_FAULT -> amd(f);
                case PRQ -> pageRequest(f);
                case REMOTEPROC_CRASH -> remoteproc(f);
                case DMAR_INTR_REMAP -> no("an interrupt-remapping fault is not a DMA fault");
                case MSM_GPU_FAULT -> no("the log names no device");
            };
        } catch (IllegalArgumentException e) {
            // A value the log printed that the fault model rejects (a PASID wider than 20 bits, ...).
            return no("the fault model rejects it: " + e.getMessage());
        }
    }

    private static FaultConversion smmuv3(DecodedFault f) {
        OptionalLong sid = f.number(FaultField.SID);
        if (sid.isEmpty()) {
            return no("the log shows no StreamID");
        }
        DeviceId device = new StreamId((int) sid.getAsLong());
        int pasid = (int) f.number(FaultField.SSID).orElse(Pasid.NONE);
        OptionalLong event = f.number(FaultField.EVENT_ID);
        boolean stalled = event.isPresent() && EventType.of((int) event.getAsLong()).stallCapable()
                && f.isTrue(FaultField.STALL) && f.number(FaultField.STAG).isPresent();
        if (stalled) {
            PageRequest last = PageRequest.last(device, (int) f.number(FaultField.STAG).getAsLong(),
                    f.number(FaultField.ADDRESS).orElse(0), permissions(f));
            return new FaultConversion.Converted(pasid == Pasid.NONE ? last : last.withPasid(pasid, false));
        }
        return unrecoverable(f, device, pasid);
    }

    private static FaultConversion streamFault(DecodedFault f) {
        OptionalLong sid = f.number(FaultField.SID);
        if (sid.isEmpty()) {
            return no("the log shows no StreamID");
        }
        return unrecoverable(f, new StreamId((int) sid.getAsLong()), Pasid.NONE);
    }

    private static FaultConversion pciFault(DecodedFault f) {
        if (f.text(FaultField.REQUESTER).isEmpty()) {
            return no("the log shows no requester");
        }
        DeviceId device = PciRequesterId.parse(f.text(FaultField.REQUESTER).get());
        return unrecoverable(f, device, (int) f.number(FaultField.PASID).orElse(Pasid.NONE));
    }

    private static FaultConversion amd(DecodedFault f) {
        if (f.text(FaultField.DEVICE).isEmpty()) {
            return no("the log names no device");
        }
        if ((f.number(FaultField.FLAGS).orElse(0) & AMD_FLAG_I) != 0) {
            return no("an interrupt request is not a DMA fault");
        }
        if (!f.determined(FaultField.PASID)) {
            return no("the log prints only PASID[15:0] (GN=1)");
        }
        DeviceId device = DeviceId.parse(f.text(FaultField.DEVICE).get());
        return unrecoverable(f, device, Pasid.NONE);
    }

    private static FaultConversion pageRequest(DecodedFault f) {
        if (f.record().size() != 2 || f.text(FaultField.REQUESTER).isEmpty()) {
            return no("the log has no page request descriptor");
        }
        long qw1 = f.record().word(1);
        if ((qw1 & QW1_LPIG) != 0 && (qw1 & QW1_RD_WR) == 0) {
            return no("a stop marker is not a page request");
        }
        DeviceId device = PciRequesterId.parse(f.text(FaultField.REQUESTER).get());
        int group = (int) (qw1 >>> QW1_PRG_INDEX_SHIFT & QW1_PRG_INDEX);
        PageRequest request = PageRequest.last(device, group, f.number(FaultField.ADDRESS).orElse(0),
                permissions(f)).withLastPage((qw1 & QW1_LPIG) != 0);
        OptionalLong pasid = f.number(FaultField.PASID);
        // intel_prq_report: PASID_VALID | RESPONSE_NEEDS_PASID when the descriptor carries a PASID.
        return new FaultConversion.Converted(
                pasid.isPresent() ? request.withPasid((int) pasid.getAsLong(), true) : request);
    }

    private static FaultConversion remoteproc(DecodedFault f) {
        OptionalLong da = f.number(FaultField.DA);
        if (da.isEmpty()) {
            return no("a crash without an IOMMU fault address");
        }
        if (f.text(FaultField.DEVICE).isEmpty()) {
            return no("the log names no remoteproc device");
        }
        DeviceId device = new PlatformDeviceName(f.text(FaultField.DEVICE).get());
        return new FaultConversion.Converted(new UnrecoverableFault(device, UnrecoverableFault.ADDR_VALID,
                Pasid.NONE, permissions(f), da.getAsLong(), 0, HardwareRecord.NONE));
    }

    private static FaultConversion unrecoverable(DecodedFault f, DeviceId device, int pasid) {
        int flags = 0;
        if (pasid != Pasid.NONE) {
            flags |= UnrecoverableFault.PASID_VALID;
        }
        OptionalLong address = f.number(FaultField.ADDRESS);
        if (address.isPresent()) {
            flags |= UnrecoverableFault.ADDR_VALID;
        }
        OptionalLong fetch = f.number(FaultField.FETCH_ADDR);
        if (fetch.isPresent()) {
            flags |= UnrecoverableFault.FETCH_ADDR_VALID;
        }
        return new FaultConversion.Converted(new UnrecoverableFault(device, flags, pasid, permissions(f),
                address.orElse(0), fetch.orElse(0), f.record()));
    }

    /** READ/WRITE/EXEC/PRIV as far as the log determines them. */
    private static Permissions permissions(DecodedFault f) {
        Permissions p = Permissions.NONE;
        if (f.isTrue(FaultField.READ)) {
            p = p.with(Permission.READ);
        }
        if (f.isTrue(FaultField.WRITE)) {
            p = p.with(Permission.WRITE);
        }
        if (f.isTrue(FaultField.EXEC)) {
            p = p.with(Permission.EXEC);
        }
        if (f.isTrue(FaultField.PRIV)) {
            p = p.with(Permission.PRIV);
        }
        return p;
    }

    private static FaultConversion no(String reason) {
        return new FaultConversion.NotConvertible(reason);
    }
}
