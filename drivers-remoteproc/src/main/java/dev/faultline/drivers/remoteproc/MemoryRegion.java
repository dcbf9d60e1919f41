package dev.faultline.drivers.remoteproc;

import dev.faultline.api.fault.Permission;
import dev.faultline.api.fault.Permissions;
import java.util.Objects;

/**
 * A carveout: memory the host sets aside for the remote processor and maps at {@code deviceAddress} in the
 * processor's IOMMU domain (Linux {@code struct rproc_mem_entry}). The processor reaches it only through
 * its IOMMU, with {@code access}.
 *
 * @param name the region's name, e.g. {@code text}
 * @param deviceAddress where the processor sees it ({@code da}), 4 KiB aligned
 * @param size its size in bytes, a positive multiple of 4 KiB
 * @param access what the processor may do there (read, write, execute)
 */
public record MemoryRegion(String name, long deviceAddress, long size, Permissions access) {
    private static final long PAGE_MASK = 0xfffL;

    /**
     * Validates the region.
     *
     * @throws IllegalArgumentException for a blank name, an unaligned address or size, or no access at all
     */
    public MemoryRegion {
        Objects.requireNonNull(access, "access");
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a memory region needs a name");
        }
        if ((deviceAddress & PAGE_MASK) != 0 || deviceAddress < 0 || size <= 0 || (size & PAGE_MASK) != 0) {
            throw new IllegalArgumentException(String.format(
                    "region %s [0x%x, +0x%x) must be 4 KiB aligned with a positive size", name, deviceAddress, size));
        }
        if (access.bits() == 0 || access.priv()) {
            throw new IllegalArgumentException("region " + name + " needs some of read, write, execute (not " + access + ")");
        }
    }

    /** A region the processor reads and executes (firmware text). */
    public static MemoryRegion text(String name, long deviceAddress, long size) {
        return new MemoryRegion(name, deviceAddress, size, Permissions.of(Permission.READ, Permission.EXEC));
    }

    /** A region the processor reads and writes (firmware data, shared memory). */
    public static MemoryRegion data(String name, long deviceAddress, long size) {
        return new MemoryRegion(name, deviceAddress, size, Permissions.READ_WRITE);
    }

    /** Whether {@code [address, address + length)} lies inside the region. */
    public boolean contains(long address, long length) {
        return address >= deviceAddress && length >= 0 && address + length <= deviceAddress + size;
    }
}
