package dev.faultline.api.fault;

import java.util.Objects;

/**
 * A fault the IOMMU cannot retry: the transaction was already aborted. Carries only what the 2023 design
 * kept for drivers (flags, PASID, permissions, address, fetch address), no reason code; the backend may
 * attach the raw record.
 *
 * @param device the device
 * @param flags {@link #PASID_VALID}, {@link #ADDR_VALID}, {@link #FETCH_ADDR_VALID}
 * @param pasid the PASID if {@link #PASID_VALID}, else {@link Pasid#NONE}
 * @param permissions the access that faulted
 * @param address the faulting address if {@link #ADDR_VALID}, else 0
 * @param fetchAddress the address of the table entry whose fetch aborted if {@link #FETCH_ADDR_VALID}, else 0
 * @param record the raw hardware record, or {@link HardwareRecord#NONE}
 */
public record UnrecoverableFault(DeviceId device, int flags, int pasid, Permissions permissions, long address,
        long fetchAddress, HardwareRecord record) implements Fault {

    /** {@code IOMMU_FAULT_UNRECOV_PASID_VALID}. */
    public static final int PASID_VALID = 1 << 0;
    /** {@code IOMMU_FAULT_UNRECOV_ADDR_VALID}. */
    public static final int ADDR_VALID = 1 << 1;
    /** {@code IOMMU_FAULT_UNRECOV_FETCH_ADDR_VALID}. */
    public static final int FETCH_ADDR_VALID = 1 << 2;
    /** All defined flags. */
    public static final int FLAGS_MASK = PASID_VALID | ADDR_VALID | FETCH_ADDR_VALID;

    /**
     * Validates the fault.
     *
     * @throws IllegalArgumentException for undefined flag bits, a PASID that disagrees with
     *     {@link #PASID_VALID}, or an address or fetch address given without its valid flag
     */
    public UnrecoverableFault {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(permissions, "permissions");
        Objects.requireNonNull(record, "record (use HardwareRecord.NONE)");
        check(flags, pasid, address, fetchAddress);
    }

    /**
     * The validation rule, shared with backends that report with primitives.
     *
     * @throws IllegalArgumentException as described for the constructor
     */
    public static void check(int flags, int pasid, long address, long fetchAddress) {
        if ((flags & ~FLAGS_MASK) != 0) {
            throw new IllegalArgumentException("unrecoverable fault flags 0x" + Integer.toHexString(flags)
                    + " have bits outside PASID_VALID|ADDR_VALID|FETCH_ADDR_VALID");
        }
        if ((flags & PASID_VALID) != 0) {
            if (!Pasid.isValid(pasid)) {
                throw new IllegalArgumentException("PASID_VALID set but PASID " + Pasid.format(pasid)
                        + " is outside [0, 0xfffff]");
            }
        } else if (pasid != Pasid.NONE) {
            throw new IllegalArgumentException("PASID " + Pasid.format(pasid) + " given without PASID_VALID");
        }
        if ((flags & ADDR_VALID) == 0 && address != 0) {
            throw new IllegalArgumentException("address given without ADDR_VALID");
        }
        if ((flags & FETCH_ADDR_VALID) == 0 && fetchAddress != 0) {
            throw new IllegalArgumentException("fetch address given without FETCH_ADDR_VALID");
        }
    }

    /** A fault at a known address, without PASID or raw record. */
    public static UnrecoverableFault at(DeviceId device, long address, Permissions permissions) {
        return new UnrecoverableFault(device, ADDR_VALID, Pasid.NONE, permissions, address, 0, HardwareRecord.NONE);
    }

    /** Whether {@link #address()} is meaningful. */
    public boolean addressValid() {
        return (flags & ADDR_VALID) != 0;
    }

    /** Whether {@link #fetchAddress()} is meaningful. */
    public boolean fetchAddressValid() {
        return (flags & FETCH_ADDR_VALID) != 0;
    }

    @Override
    public boolean recoverable() {
        return false;
    }
}
