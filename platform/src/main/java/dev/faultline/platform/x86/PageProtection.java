package dev.faultline.platform.x86;

/**
 * The access a first-level mapping allows, turned into leaf bits R/W, U/S and XD (VT-d first-level paging).
 *
 * @param writable R/W = 1
 * @param user U/S = 1: user (PMR = 0) requests may use the page
 * @param executable XD = 0
 */
public record PageProtection(boolean writable, boolean user, boolean executable) {
    /** User read-only data (R/W = 0, U/S = 1, XD = 1). */
    public static final PageProtection READ_ONLY = new PageProtection(false, true, false);
    /** User read-write data, as Linux maps SVA and DMA buffers (R/W = 1, U/S = 1, XD = 1). */
    public static final PageProtection READ_WRITE = new PageProtection(true, true, false);
    /** User read-write-execute. */
    public static final PageProtection READ_WRITE_EXECUTE = new PageProtection(true, true, true);
    /** Supervisor-only read-write (U/S = 0). */
    public static final PageProtection SUPERVISOR_READ_WRITE = new PageProtection(true, false, false);

    /** The leaf bits for this protection (P included; A and D are left for the walk to set). */
    public long leafBits() {
        return PagingEntry.PRESENT | (writable ? PagingEntry.WRITABLE : 0) | (user ? PagingEntry.USER : 0)
                | (executable ? 0 : PagingEntry.EXECUTE_DISABLE);
    }

    /** The protection a leaf entry grants. */
    public static PageProtection of(long leaf) {
        return new PageProtection((leaf & PagingEntry.WRITABLE) != 0, (leaf & PagingEntry.USER) != 0,
                (leaf & PagingEntry.EXECUTE_DISABLE) == 0);
    }
}
