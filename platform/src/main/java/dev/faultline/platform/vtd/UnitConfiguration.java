package dev.faultline.platform.vtd;

import java.util.Objects;

/**
 * How one simulated remapping unit is built: its name, PCI segment, capability registers and the memory it
 * can reach.
 *
 * @param name the unit's name, {@code dmar0}, {@code dmar1} ... as Linux names them
 * @param segment the PCI segment of the devices behind it
 * @param capability CAP
 * @param extendedCapability ECAP
 * @param addressWidth the host address width: table entry address bits at or above it are reserved
 * @param memoryTop the end of installed memory: table or queue accesses at or above it are access errors
 */
public record UnitConfiguration(String name, int segment, Capability capability,
        ExtendedCapability extendedCapability, int addressWidth, long memoryTop) {

    /** Where this model places FRCD[0] (QEMU's offset, VT-d registers). */
    public static final int FAULT_RECORDING_OFFSET = 0x220;
    /** ECAP bits of the standard unit: scalable mode, first level, PASID, PRI, ATS, QI, pass-through, supervisor requests, drain. */
    public static final long STANDARD_FEATURES = ExtendedCapability.COHERENT | ExtendedCapability.QUEUED_INVALIDATION
            | ExtendedCapability.DEVICE_TLB | ExtendedCapability.PASS_THROUGH | ExtendedCapability.NESTED
            | ExtendedCapability.PAGE_REQUESTS | ExtendedCapability.SUPERVISOR_REQUESTS | ExtendedCapability.PASID
            | ExtendedCapability.PAGE_REQUEST_DRAIN | ExtendedCapability.SCALABLE_MODE | ExtendedCapability.FIRST_LEVEL;

    /**
     * Validates the configuration.
     *
     * @throws IllegalArgumentException for a blank name, a segment beyond 16 bits, FRCDs overlapping the other
     *     registers, or a memory top beyond the address width
     */
    public UnitConfiguration {
        Objects.requireNonNull(capability, "capability");
        Objects.requireNonNull(extendedCapability, "extendedCapability");
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("unit name must not be blank");
        }
        Capability.check("segment", segment, 0xffff);
        int frcdEnd = capability.faultRecordOffset(capability.faultRecordingCount());
        if (capability.faultRecordingOffset() < 0x100 || frcdEnd > RegisterMap.SIZE) {
            throw new IllegalArgumentException(String.format(
                    "fault recording registers [0x%x, 0x%x) must lie in [0x100, 0x%x)",
                    capability.faultRecordingOffset(), frcdEnd, RegisterMap.SIZE));
        }
        if (addressWidth < 32 || addressWidth > 52 || memoryTop <= 0 || memoryTop > 1L << addressWidth) {
            throw new IllegalArgumentException(String.format(
                    "address width %d must be in [32, 52] and memory top 0x%x inside it", addressWidth, memoryTop));
        }
    }

    /**
     * A unit as this model's machines build it: scalable mode with first-level translation, 20-bit PASIDs,
     * page requests, 1 GiB first-level pages, a 48-bit guest width over a 46-bit host width.
     *
     * @param faultRecords the number of fault recording registers (1 to 256)
     * @param memoryTop the end of installed memory
     */
    public static UnitConfiguration standard(String name, int segment, int faultRecords, long memoryTop) {
        return new UnitConfiguration(name, segment,
                Capability.of(6, false, 0x4, 48, FAULT_RECORDING_OFFSET, faultRecords, true, true),
                ExtendedCapability.of(STANDARD_FEATURES, 20), 46, memoryTop);
    }
}
