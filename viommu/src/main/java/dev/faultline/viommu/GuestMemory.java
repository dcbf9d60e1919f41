package dev.faultline.viommu;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A guest's physical address space (intermediate physical addresses, IPAs) as the virtual IOMMU reads it:
 * where the guest's stage-1 tables and context descriptors live. The vIOMMU only reads; it never sets
 * access or dirty flags in guest tables.
 *
 * <p>Implementations are called on the fault path, under the guest's lock: they must be thread-safe and must
 * not block. {@link GuestMemoryWindow} is the simple case (guest RAM is one contiguous window of host memory).
 *
 * @since 1.0
 */
@ConsumerType
public interface GuestMemory {

    /** Whether the aligned 8 bytes at {@code ipa} are guest RAM the vIOMMU may read. */
    boolean contains(long ipa);

    /**
     * Reads the aligned little-endian 64-bit word at {@code ipa}.
     *
     * @throws IllegalArgumentException if {@code ipa} is not {@link #contains(long) contained} or not 8-aligned
     */
    long read64(long ipa);
}
