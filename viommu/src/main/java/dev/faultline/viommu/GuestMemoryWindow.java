package dev.faultline.viommu;

import dev.faultline.platform.memory.PhysicalMemory;
import java.util.Objects;

/**
 * Guest RAM as one window of host physical memory: guest-physical address {@code ipa} in
 * {@code [0, size)} is host physical address {@code base + ipa}, which is how a VMM lays out a guest whose
 * stage-2 mapping is a single linear block. Addresses outside the window are not guest RAM: a stage-1
 * table pointing there makes the vIOMMU report a walk abort, as a host stage-2 would.
 *
 * <p>A window with {@code base = 0} and {@code size} covering the tables is the identity view used when a
 * stage-1-only device shares host memory with its "guest" (the property tests do this).
 *
 * @param memory host physical memory
 * @param base host physical address of guest-physical address 0; 4 KiB aligned
 * @param size bytes of guest RAM; a positive multiple of 4 KiB
 */
public record GuestMemoryWindow(PhysicalMemory memory, long base, long size) implements WritableGuestMemory {

    /**
     * Validates the window.
     *
     * @throws IllegalArgumentException if base or size is not page-aligned, size is not positive, or the window
     *     does not fit the 52-bit physical address space
     */
    public GuestMemoryWindow {
        Objects.requireNonNull(memory, "memory");
        long page = PhysicalMemory.PAGE_SIZE;
        if ((base & (page - 1)) != 0 || (size & (page - 1)) != 0 || size <= 0 || base < 0
                || base + size > (1L << PhysicalMemory.ADDRESS_BITS) || base + size < base) {
            throw new IllegalArgumentException(String.format(
                    "guest memory window [0x%x, +0x%x) must be page-aligned, non-empty and inside the %d-bit"
                            + " physical address space", base, size, PhysicalMemory.ADDRESS_BITS));
        }
    }

    @Override
    public boolean contains(long ipa) {
        return ipa >= 0 && ipa <= size - Long.BYTES;
    }

    @Override
    public long read64(long ipa) {
        if (!contains(ipa)) {
            throw new IllegalArgumentException(String.format(
                    "guest-physical address 0x%x is outside guest RAM [0, 0x%x)", ipa, size));
        }
        return memory.read64(base + ipa);
    }

    @Override
    public void write64(long ipa, long value) {
        if (!contains(ipa) || (ipa & (Long.BYTES - 1)) != 0) {
            throw new IllegalArgumentException(String.format(
                    "guest-physical address 0x%x is not an aligned word of guest RAM [0, 0x%x)", ipa, size));
        }
        memory.write64(base + ipa, value);
    }

    /** The host physical address of guest-physical {@code ipa} (for VMMs and tests writing guest tables). */
    public long hostAddress(long ipa) {
        if (ipa < 0 || ipa >= size) {
            throw new IllegalArgumentException(String.format(
                    "guest-physical address 0x%x is outside guest RAM [0, 0x%x)", ipa, size));
        }
        return base + ipa;
    }
}
