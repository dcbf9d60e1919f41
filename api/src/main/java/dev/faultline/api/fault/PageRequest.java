package dev.faultline.api.fault;

import java.util.Objects;

/**
 * A recoverable page request (PCIe PRI page request, SMMUv3 stalled transaction, VT-d page request
 * descriptor): Linux's {@code struct iommu_fault_page_request}.
 *
 * @param device the requester
 * @param pasid the PASID or {@link Pasid#NONE}
 * @param groupId the page request group index (PRI PRGI, SMMUv3 STAG); non-negative
 * @param lastPage whether this is the last request of its group (only the last is answered)
 * @param address the page address requested
 * @param permissions the access asked for
 * @param privateData0 device-private data to echo in the response (VT-d private data), or 0
 * @param privateData1 second word of private data, or 0
 * @param responseNeedsPasid whether the response must carry the PASID ({@code IOMMU_FAULT_PAGE_RESPONSE_NEEDS_PASID})
 */
public record PageRequest(DeviceId device, int pasid, int groupId, boolean lastPage, long address,
        Permissions permissions, long privateData0, long privateData1, boolean responseNeedsPasid) implements Fault {

    /** {@code IOMMU_FAULT_PAGE_REQUEST_PASID_VALID}: flag bit used by backends reporting with primitives. */
    public static final int FLAG_PASID_VALID = 1 << 0;
    /** {@code IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE}. */
    public static final int FLAG_LAST_PAGE = 1 << 1;
    /** {@code IOMMU_FAULT_PAGE_RESPONSE_NEEDS_PASID} (v6.9+ numbering). */
    public static final int FLAG_RESPONSE_NEEDS_PASID = 1 << 2;

    /**
     * Validates the request.
     *
     * @throws IllegalArgumentException for a bad PASID, a negative group id, or a response that needs a
     *     PASID the request does not carry
     * @throws NullPointerException for a missing device or permissions
     */
    public PageRequest {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(permissions, "permissions");
        Pasid.requireValidOrNone(pasid);
        if (groupId < 0) {
            throw new IllegalArgumentException("page request group id " + groupId + " is negative");
        }
        if (responseNeedsPasid && pasid == Pasid.NONE) {
            throw new IllegalArgumentException("response needs a PASID but the page request carries none");
        }
    }

    /** A last-page request without PASID or private data: the common single-request group. */
    public static PageRequest last(DeviceId device, int groupId, long address, Permissions permissions) {
        return new PageRequest(device, Pasid.NONE, groupId, true, address, permissions, 0, 0, false);
    }

    /** This request with a PASID (and whether the response needs it). */
    public PageRequest withPasid(int newPasid, boolean needsPasid) {
        return new PageRequest(device, newPasid, groupId, lastPage, address, permissions, privateData0,
                privateData1, needsPasid);
    }

    /** This request marked as a partial (not last) or last request. */
    public PageRequest withLastPage(boolean last) {
        return new PageRequest(device, pasid, groupId, last, address, permissions, privateData0, privateData1,
                responseNeedsPasid);
    }

    /** This request with device-private data. */
    public PageRequest withPrivateData(long data0, long data1) {
        return new PageRequest(device, pasid, groupId, lastPage, address, permissions, data0, data1,
                responseNeedsPasid);
    }

    /** The Linux flags word ({@link #FLAG_PASID_VALID}, {@link #FLAG_LAST_PAGE}, {@link #FLAG_RESPONSE_NEEDS_PASID}). */
    public int flags() {
        return (pasid != Pasid.NONE ? FLAG_PASID_VALID : 0) | (lastPage ? FLAG_LAST_PAGE : 0)
                | (responseNeedsPasid ? FLAG_RESPONSE_NEEDS_PASID : 0);
    }

    @Override
    public boolean recoverable() {
        return true;
    }
}
