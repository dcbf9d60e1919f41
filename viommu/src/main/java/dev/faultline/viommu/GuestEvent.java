package dev.faultline.viommu;

/**
 * One entry of a guest's event queue, stamped with a sequence number as iommufd's vEVENTQ does
 * ({@code struct iommufd_vevent_header}): the sequence runs over {@code [0, Integer.MAX_VALUE]} and wraps to 0;
 * every entry, including a {@link LostEvents} marker, takes the next one.
 */
public sealed interface GuestEvent permits PageRequestEvent, UnrecoverableEvent, LostEvents {
    /** {@code IOMMU_VEVENTQ_FLAG_LOST_EVENTS}: set in the header of a {@link LostEvents} marker. */
    int FLAG_LOST_EVENTS = 1;
    /** Size of the header: {@code __u32 flags; __u32 sequence;}. */
    int HEADER_BYTES = 8;

    /** The sequence number, 0 to {@link Integer#MAX_VALUE}. */
    int sequence();

    /** The header flags: {@link #FLAG_LOST_EVENTS} or 0. */
    int flags();

    /** The entry as the guest reads it: the 8-byte little-endian header, then the type's payload. */
    byte[] toBytes();
}
