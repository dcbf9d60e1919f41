package dev.faultline.viommu;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Guest memory a virtual IOMMU model also writes: where it places the records of the guest's event queue and
 * the completion words of the guest's CMD_SYNCs, as the hardware it models writes them to memory.
 *
 * <p>Same rules as {@link GuestMemory}: thread-safe, never blocking.
 *
 * @since 1.1
 */
@ConsumerType
public interface WritableGuestMemory extends GuestMemory {

    /**
     * Writes the aligned little-endian 64-bit word at {@code ipa}, in one store.
     *
     * @throws IllegalArgumentException if {@code ipa} is not {@link #contains(long) contained} or not 8-aligned
     */
    void write64(long ipa, long value);
}
