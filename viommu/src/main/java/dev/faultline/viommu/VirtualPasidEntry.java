package dev.faultline.viommu;

/**
 * What a guest's scalable-mode PASID-table entry asks for one PASID of a device, once the virtual VT-d unit has
 * validated it: the VMM makes the host device follow it through {@link PasidBinder#bind}. Only what a nested host
 * PASID entry takes from the guest's is kept: the first level's root and its request controls; the second level
 * stays the host's.
 *
 * @param mode what the PASID's requests do
 * @param firstLevelTable FLPTR: the guest-physical address of the PML4 table (4 KiB aligned); 0 unless
 *     {@link Mode#FIRST_LEVEL}
 * @param supervisorRequests SRE: requests in privileged mode are allowed
 * @param writeProtect WPE: supervisor writes honour read-only entries
 * @since 1.2
 */
public record VirtualPasidEntry(Mode mode, long firstLevelTable, boolean supervisorRequests, boolean writeProtect) {

    /** PGTT as the virtual unit (first level only) accepts it. */
    public enum Mode {
        /**
         * No usable entry: translation disabled, no root table, the context, directory or PASID entry not present,
         * PASIDs disabled, or a refused entry. Every request of the PASID is aborted.
         */
        ABORT,
        /** PGTT 1 in the guest's entry: the guest's first level, over the host's second level (nested). */
        FIRST_LEVEL
    }

    /** The entry of a PASID whose requests are aborted. */
    public static final VirtualPasidEntry ABORT = new VirtualPasidEntry(Mode.ABORT, 0, false, false);

    /**
     * Validates the entry.
     *
     * @throws IllegalArgumentException for a table that is negative, not 4 KiB aligned, beyond 52 bits, or given
     *     outside {@link Mode#FIRST_LEVEL}
     */
    public VirtualPasidEntry {
        if (mode == null) {
            throw new IllegalArgumentException("PASID entry mode is null");
        }
        if (firstLevelTable < 0 || (firstLevelTable & 0xfff) != 0 || (firstLevelTable >>> 52) != 0
                || (mode != Mode.FIRST_LEVEL && (firstLevelTable != 0 || supervisorRequests || writeProtect))) {
            throw new IllegalArgumentException(String.format("FLPTR 0x%x is not a 4 KiB aligned %s", firstLevelTable,
                    mode == Mode.FIRST_LEVEL ? "address" : "zero outside FIRST_LEVEL"));
        }
    }
}
