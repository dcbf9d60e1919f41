package dev.faultline.platform.vtd;

import dev.faultline.api.fault.PciRequesterId;

/**
 * One 128-bit fault recording register, FRCD (VT-d FRCD): what the remapping unit records about a
 * faulting request, with the kernel's reading of it ({@code dmar_fault}, {@code dmar_fault_do_one}).
 *
 * <p>Layout: qword +0 holds FI [63:12]; qword +8 holds SID [15:0], T2 bit 28, PRIV bit 29, EXE bit 30,
 * PP bit 31, FR [39:32], PV [59:40], AT [61:60], T1 bit 62 (1 = read), F bit 63.
 *
 * @param address the faulting page address (FI, bits [63:12]); for an interrupt request FI[63:48] is the index
 * @param sourceId the requester id (bus [15:8], device [7:3], function [2:0])
 * @param pasidPresent PP
 * @param pasid PV, 20 bits (meaningful with PP)
 * @param reasonCode FR, the fault reason (see {@link FaultReason})
 * @param read T1: 1 = read, 0 = write (Linux prints {@code DMA Read} / {@code DMA Write})
 * @param typeBit2 T2 (Linux ignores it)
 * @param privileged PRIV: privilege-mode requested
 * @param execute EXE: execute requested
 * @param addressType AT, the PCIe address type, 2 bits
 * @param valid F: the record holds a fault
 */
public record FaultRecord(long address, int sourceId, boolean pasidPresent, int pasid, int reasonCode,
        boolean read, boolean typeBit2, boolean privileged, boolean execute, int addressType, boolean valid) {

    /** The {@code pr_fmt} prefix of {@code intel/dmar.c}. */
    public static final String LOG_PREFIX = "DMAR: ";
    /** The format name for {@link dev.faultline.api.fault.HardwareRecord}s of this register. */
    public static final String FORMAT = "vtd-frcd";

    /**
     * Validates the fields.
     *
     * @throws IllegalArgumentException for an address with bits in [11:0], or a field wider than its bits
     */
    public FaultRecord {
        if ((address & 0xfff) != 0) {
            throw new IllegalArgumentException(String.format("FRCD fault info 0x%x has bits in [11:0]", address));
        }
        Capability.check("SID", sourceId, 0xffff);
        Capability.check("PV", pasid, 0xfffff);
        Capability.check("FR", reasonCode, 0xff);
        Capability.check("AT", addressType, 3);
    }

    /** A valid record of a DMA request as the model records it (T2 = 0, AT = 0). */
    public static FaultRecord of(int sourceId, int pasid, long pageAddress, boolean read, boolean privileged,
            boolean execute, int reasonCode) {
        boolean pasidPresent = pasid >= 0;
        return new FaultRecord(pageAddress & ~0xfffL, sourceId, pasidPresent, pasidPresent ? pasid : 0, reasonCode,
                read, false, privileged, execute, 0, true);
    }

    /** Reads the two qwords at +0 and +8. */
    public static FaultRecord decode(long low, long high) {
        return new FaultRecord(low & ~0xfffL, (int) (high & 0xffff), (high >>> 31 & 1) != 0,
                (int) (high >>> 40) & 0xfffff, (int) (high >>> 32) & 0xff, (high >>> 62 & 1) != 0,
                (high >>> 28 & 1) != 0, (high >>> 29 & 1) != 0, (high >>> 30 & 1) != 0, (int) (high >>> 60) & 3,
                (high >>> 63 & 1) != 0);
    }

    /** The qword at +0. */
    public long low() {
        return address;
    }

    /** The qword at +8. */
    public long high() {
        return (sourceId & 0xffffL) | Capability.bit(typeBit2, 28) | Capability.bit(privileged, 29)
                | Capability.bit(execute, 30) | Capability.bit(pasidPresent, 31) | (long) reasonCode << 32
                | (long) pasid << 40 | (long) addressType << 60 | Capability.bit(read, 62) | Capability.bit(valid, 63);
    }

    /** The reason with the kernel's string and type. */
    public FaultReason reason() {
        return FaultReason.of(reasonCode);
    }

    /** The requester on PCI segment {@code segment}. */
    public PciRequesterId requester(int segment) {
        return PciRequesterId.ofRid(segment, sourceId);
    }

    /**
     * The kernel's line for this record without the {@value #LOG_PREFIX} prefix, in the current (5.15+)
     * form of {@code dmar_fault_do_one} (Linux dmar_fault_do_one), e.g.
     * {@code [DMA Write NO_PASID] Request device [00:02.0] fault addr 0x7f001000 [fault reason 0x05] PTE Write access is not set}.
     */
    public String message() {
        FaultReason reason = reason();
        String device = String.format("[%02x:%02x.%d]", sourceId >>> 8, (sourceId >>> 3) & 0x1f, sourceId & 7);
        if (reason.interruptRemapping()) {
            return String.format("[INTR-REMAP] Request device %s fault index 0x%x [fault reason 0x%02x] %s", device,
                    address >>> 48, reasonCode, reason.description());
        }
        String type = read ? "DMA Read" : "DMA Write";
        String pasidText = pasidPresent ? String.format("PASID 0x%x", pasid) : "NO_PASID";
        return String.format("[%s %s] Request device %s fault addr 0x%x [fault reason 0x%02x] %s", type, pasidText,
                device, address, reasonCode, reason.description());
    }
}
