package dev.faultline.platform.x86;

/**
 * Why a first-level walk failed, in the terms of VT-d first-level faults. The VT-d model turns each into its fault
 * reason code ({@code dev.faultline.platform.vtd}); the level of the entry is in {@link WalkResult#level()}.
 */
public enum WalkFault {
    /** The walk translated the address. */
    NONE,
    /** Bits [63:47] of the input are not all equal to bit 47; no table was read (VT-d 0x80). */
    NON_CANONICAL,
    /** An entry could not be fetched: the table lies outside installed memory (VT-d 0x73 at PML4, else 0x70). */
    TABLE_ACCESS,
    /** P = 0 (VT-d 0x71). */
    NOT_PRESENT,
    /** A user request met U/S = 0 (VT-d 0x81). */
    USER,
    /** A write met R/W = 0, for a user request or with write protection on (VT-d 0x85). */
    WRITE,
    /** An execute request met XD = 1 (VT-d 0x82). */
    EXECUTE,
    /** A reserved bit is set: PS in a PML4 entry, PS in a PDPT entry without 1 GiB pages, address bits above
     *  the width, or low frame bits of a large leaf (VT-d 0x72). */
    RESERVED,
    /** The output address falls in the interrupt range 0xFEEx_xxxx (VT-d 0x87). */
    INTERRUPT_ADDRESS,
    /**
     * Nested: the second level refused the read of a first-level entry (VT-d 0x74, 0x75 at PML4, 0x76, 0x78,
     * 0x7A, per {@link SecondLevelWalker#fault()}); {@link WalkResult#entryAddress()} is the entry's GPA.
     */
    SECOND_LEVEL_TABLE,
    /** Nested: the second level refused the A/D update (a write) of a first-level entry (VT-d 0x77, 0x78, 0x7A). */
    SECOND_LEVEL_TABLE_UPDATE,
    /** Nested: the second level refused the output GPA (VT-d 0x84, 0x78, 0x79, 0x7A). */
    SECOND_LEVEL_OUTPUT
}
