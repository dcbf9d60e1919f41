package dev.faultline.platform.dma;

import dev.faultline.api.fault.Pasid;
import java.util.Objects;

/**
 * One upstream memory access a device presents to its IOMMU.
 *
 * @param requesterId the requester: the SMMUv3 StreamID, or the PCI requester id ({@code bus << 8 | devfn}) for
 *     VT-d; read as unsigned 32 bits
 * @param pasid the PASID (SMMUv3 SubstreamID) the access carries, or {@link Pasid#NONE}
 * @param address the input address (IOVA or virtual address)
 * @param type read, write or instruction fetch
 * @param privileged whether the access is privileged (SMMUv3 PnU = 1, PCIe PMR)
 * @param size the number of bytes, 1 to 4096; the access must not cross a 4 KiB page
 * @param translationRequest whether this is a PCIe ATS Translation Request of a PRI-capable device: a
 *     translation or permission fault then completes as {@link TranslationOutcome#NO_TRANSLATION} without a
 *     fault record, so the device can issue a page request (PCIe ATS/PRI)
 */
public record DmaAccess(int requesterId, int pasid, long address, AccessType type, boolean privileged, int size,
        boolean translationRequest) {

    /** The largest access: one 4 KiB page. */
    public static final int MAX_SIZE = 4096;

    /**
     * Validates the access.
     *
     * @throws IllegalArgumentException for a bad PASID, a size outside 1..4096 or an access crossing a page
     * @throws NullPointerException for a missing type
     */
    public DmaAccess {
        Objects.requireNonNull(type, "type");
        Pasid.requireValidOrNone(pasid);
        if (size < 1 || size > MAX_SIZE) {
            throw new IllegalArgumentException("DMA access size " + size + " is outside [1, 4096]");
        }
        if ((address & ~0xfffL) != ((address + size - 1) & ~0xfffL)) {
            throw new IllegalArgumentException(String.format(
                    "DMA access of %d bytes at 0x%x crosses a 4 KiB page boundary", size, address));
        }
    }

    /** An unprivileged, PASID-less, untranslated access. */
    public static DmaAccess of(int requesterId, long address, AccessType type, int size) {
        return new DmaAccess(requesterId, Pasid.NONE, address, type, false, size, false);
    }

    /** This access with a PASID ({@link Pasid#NONE} for none). */
    public DmaAccess withPasid(int newPasid) {
        return new DmaAccess(requesterId, newPasid, address, type, privileged, size, translationRequest);
    }

    /** This access as privileged or unprivileged. */
    public DmaAccess withPrivileged(boolean newPrivileged) {
        return new DmaAccess(requesterId, pasid, address, type, newPrivileged, size, translationRequest);
    }

    /** This access as an ATS translation request or an ordinary untranslated access. */
    public DmaAccess withTranslationRequest(boolean newTranslationRequest) {
        return new DmaAccess(requesterId, pasid, address, type, privileged, size, newTranslationRequest);
    }

    /** Whether the access carries a PASID. */
    public boolean hasPasid() {
        return pasid != Pasid.NONE;
    }

    /** The address of the 4 KiB page the access falls in. */
    public long pageAddress() {
        return address & ~0xfffL;
    }
}
