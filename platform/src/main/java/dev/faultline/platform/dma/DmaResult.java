package dev.faultline.platform.dma;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link DmaDevice} access came to.
 *
 * @param status how it ended
 * @param access the access as last issued
 * @param physicalAddress where it went, when {@link DmaStatus#COMPLETED}; else 0
 * @param data the bytes read (zeros for {@link DmaStatus#RAZ_WI} reads); empty for writes and failures
 * @param pageRequests how many page request groups the device sent for it
 * @param stalls how many times the IOMMU stalled it
 */
public record DmaResult(DmaStatus status, DmaAccess access, long physicalAddress, byte @Nullable [] data, int pageRequests,
        int stalls) {

    private static final byte[] NO_DATA = new byte[0];

    /** Validates and copies. */
    public DmaResult {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(access, "access");
        data = data == null || data.length == 0 ? NO_DATA : data.clone();
    }

    /** The bytes read (a copy). */
    @Override
    public byte[] data() {
        return data.length == 0 ? NO_DATA : data.clone();
    }

    /** Whether the access reached memory. */
    public boolean completed() {
        return status == DmaStatus.COMPLETED;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DmaResult r && r.status == status && r.access.equals(access)
                && r.physicalAddress == physicalAddress && java.util.Arrays.equals(r.data, data)
                && r.pageRequests == pageRequests && r.stalls == stalls;
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, access, physicalAddress, java.util.Arrays.hashCode(data), pageRequests, stalls);
    }

    @Override
    public String toString() {
        return "DmaResult[" + status + " " + access + String.format(" pa=0x%x", physicalAddress) + " bytes="
                + data.length + " pageRequests=" + pageRequests + " stalls=" + stalls + "]";
    }
}
