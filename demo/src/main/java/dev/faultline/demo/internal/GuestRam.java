package dev.faultline.demo.internal;

import dev.faultline.platform.memory.FrameAllocator;
import dev.faultline.platform.memory.PhysicalMemory;
import dev.faultline.viommu.GuestMemory;
import dev.faultline.viommu.WritableGuestMemory;

/**
 * One guest's RAM on the simulated machine: a block of host memory that the guest sees at the same addresses
 * (its VMM maps it 1:1 at stage 2), so the guest's kernel builds its stage-1 tables there with the platform's
 * table builders, and its vIOMMU reads them through {@link GuestMemory}. Nothing outside the block is the
 * guest's: a table pointing there is a walk abort for the vIOMMU, as for the host's stage 2.
 */
final class GuestRam implements WritableGuestMemory {
    private final PhysicalMemory memory;
    private final long base;
    private final long size;
    private final FrameAllocator frames;

    /** Takes {@code size} bytes (a power of two) of the host's memory for the guest. */
    GuestRam(FrameAllocator host, long size) {
        this.memory = host.memory();
        this.size = size;
        this.base = host.allocate(size, size);
        this.frames = new FrameAllocator(memory, base, size);
    }

    /** The guest kernel's page allocator over its RAM. */
    FrameAllocator frames() {
        return frames;
    }

    /** The guest-physical (and host physical) address of the first byte. */
    long base() {
        return base;
    }

    long size() {
        return size;
    }

    /** The guest (or its virtual IOMMU) writes one 64-bit word of its RAM. */
    @Override
    public void write64(long ipa, long value) {
        if (!contains(ipa) || (ipa & (Long.BYTES - 1)) != 0) {
            throw new IllegalArgumentException(String.format("0x%x is not an aligned word of guest RAM", ipa));
        }
        memory.write64(ipa, value);
    }

    @Override
    public boolean contains(long ipa) {
        return ipa >= base && ipa - base <= size - Long.BYTES;
    }

    @Override
    public long read64(long ipa) {
        if (!contains(ipa) || (ipa & (Long.BYTES - 1)) != 0) {
            throw new IllegalArgumentException(String.format("0x%x is not an aligned word of guest RAM", ipa));
        }
        return memory.read64(ipa);
    }
}
