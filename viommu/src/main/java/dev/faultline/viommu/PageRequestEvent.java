package dev.faultline.viommu;

import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Objects;

/**
 * A recoverable page request group (PRI page requests, or an SMMUv3 stall) of a guest device, waiting for the
 * guest's answer: {@link VirtualIommu#respond(int, int)} with {@link #cookie()}. Its payload is one iommufd
 * {@code struct iommu_hwpt_pgfault} (40 bytes) per request, all with the same cookie (Linux uapi iommufd.h).
 *
 * @param sequence the queue sequence number
 * @param cookie the guest-scoped handle to answer with, never 0
 * @param virtualDevice the guest-visible device id (virtual stream id or requester id)
 * @param requests the group's requests, the last-page request last
 */
public record PageRequestEvent(int sequence, int cookie, int virtualDevice, List<Request> requests)
        implements GuestEvent {
    /** {@code IOMMU_PGFAULT_FLAGS_PASID_VALID}. */
    public static final int PGFAULT_FLAG_PASID_VALID = 1 << 0;
    /** {@code IOMMU_PGFAULT_FLAGS_LAST_PAGE}. */
    public static final int PGFAULT_FLAG_LAST_PAGE = 1 << 1;
    /** {@code sizeof(struct iommu_hwpt_pgfault)}. */
    public static final int PGFAULT_BYTES = 40;

    /**
     * One page request as the guest sees it.
     *
     * @param pasid the PASID or {@link Pasid#NONE}
     * @param groupId the page request group index
     * @param lastPage whether this is the group's last request
     * @param permissions the access asked for (r/w/x/priv)
     * @param address the page address
     */
    public record Request(int pasid, int groupId, boolean lastPage, Permissions permissions, long address) {

        /**
         * Validates the request.
         *
         * @throws IllegalArgumentException for a bad PASID or a negative group id
         */
        public Request {
            Objects.requireNonNull(permissions, "permissions");
            Pasid.requireValidOrNone(pasid);
            if (groupId < 0) {
                throw new IllegalArgumentException("page request group id " + groupId + " is negative");
            }
        }

        /** The {@code iommu_hwpt_pgfault} flags. */
        public int pgfaultFlags() {
            return (pasid != Pasid.NONE ? PGFAULT_FLAG_PASID_VALID : 0) | (lastPage ? PGFAULT_FLAG_LAST_PAGE : 0);
        }
    }

    /**
     * Validates the event.
     *
     * @throws IllegalArgumentException for a negative sequence, cookie 0, or no request
     */
    public PageRequestEvent {
        requests = List.copyOf(requests);
        if (sequence < 0 || cookie == 0 || requests.isEmpty()) {
            throw new IllegalArgumentException("page request event needs a sequence >= 0, a non-zero cookie and"
                    + " at least one request");
        }
    }

    /** The last-page request. */
    public Request last() {
        return requests.get(requests.size() - 1);
    }

    @Override
    public int flags() {
        return 0;
    }

    /** The header, then one 40-byte {@code iommu_hwpt_pgfault} per request. */
    @Override
    public byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + PGFAULT_BYTES * requests.size())
                .order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0).putInt(sequence);
        for (Request r : requests) {
            b.putInt(r.pgfaultFlags()).putInt(virtualDevice).putInt(r.pasid() == Pasid.NONE ? 0 : r.pasid())
                    .putInt(r.groupId()).putInt(r.permissions().bits()).putInt(0).putLong(r.address())
                    .putInt(0).putInt(cookie);
        }
        return b.array();
    }
}
