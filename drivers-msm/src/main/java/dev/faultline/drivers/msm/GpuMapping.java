package dev.faultline.drivers.msm;

import dev.faultline.api.fault.Permissions;

/**
 * One mapping of a GPU context's address space (a {@code msm_gem_vma}).
 *
 * @param iova the GPU virtual address
 * @param size its size in bytes (4 KiB multiple)
 * @param access what the GPU may do there
 */
public record GpuMapping(long iova, long size, Permissions access) {

    /** Whether {@code address} lies inside. */
    public boolean contains(long address) {
        return address >= iova && address - iova < size;
    }
}
