package dev.faultline.vtd;

/**
 * The first level a guest programmed in its own scalable-mode PASID entry, as the host's nested entry (PGTT 3) takes
 * it over: the first-level table's guest-physical address (FLPTR) and the controls that decide how the guest's
 * supervisor requests translate (VT-d spec 9.6, PASID-table entry val[2]).
 *
 * @param table the guest-physical address of the guest's first-level table (FLPTR), 4 KiB aligned
 * @param supervisorRequests SRE: supervisor (privileged) requests are allowed; when clear they fault 0x5D
 * @param writeProtect WPE: supervisor writes honour read-only first-level entries
 * @since 1.1
 */
public record GuestFirstLevel(long table, boolean supervisorRequests, boolean writeProtect) {

    /** A first level with supervisor requests disabled, as {@link VtdIommu#attachNested(
     * dev.faultline.api.fault.PciRequesterId, int, dev.faultline.api.backend.Domain, long, long)} attaches it. */
    public static GuestFirstLevel userOnly(long table) {
        return new GuestFirstLevel(table, false, false);
    }
}
