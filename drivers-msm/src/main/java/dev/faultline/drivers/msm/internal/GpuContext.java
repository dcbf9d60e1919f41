package dev.faultline.drivers.msm.internal;

import dev.faultline.api.fault.Permission;
import dev.faultline.api.fault.Permissions;
import dev.faultline.drivers.msm.FaultType;
import dev.faultline.drivers.msm.GpuMapping;
import dev.faultline.platform.arm.Protection;
import dev.faultline.platform.arm.TranslationTable;
import java.util.ArrayList;
import java.util.List;

/**
 * One GPU context: its address space (a stage-1 table the driver builds, plus the driver's own list of
 * mappings, {@code msm_gem_vma}s) and its counters. Guarded by the GPU's lock.
 */
final class GpuContext {
    /** GPU virtual addresses are 48 bits (the usual Adreno SMMU input size). */
    static final int INPUT_BITS = 48;

    final int id;
    final int pasid;
    final String domain;
    final TranslationTable table;
    private final List<Vma> vmas = new ArrayList<>();
    int faults;
    long completedJobs;

    GpuContext(int id, int pasid, String domain, TranslationTable table) {
        this.id = id;
        this.pasid = pasid;
        this.domain = domain;
        this.table = table;
    }

    /** The ASID, which is the context id (Adreno gives each process page table its own). */
    int asid() {
        return id;
    }

    /** TTBR0 as the SMMU context bank holds it: ASID in [63:48], table base below. */
    long ttbr0() {
        return (long) asid() << 48 | table.root();
    }

    void map(long iova, long physicalAddress, long size, Permissions access) {
        for (Vma v : vmas) {
            if (iova < v.mapping.iova() + v.mapping.size() && v.mapping.iova() < iova + size) {
                throw new IllegalArgumentException(String.format(
                        "context %d: [0x%x, +0x%x) overlaps the mapping at 0x%x", id, iova, size, v.mapping.iova()));
            }
        }
        table.map(iova, physicalAddress, size, protection(access));
        vmas.add(new Vma(new GpuMapping(iova, size, access), physicalAddress));
    }

    void unmap(long iova, long size) {
        vmas.removeIf(v -> v.mapping.iova() >= iova && v.mapping.iova() + v.mapping.size() <= iova + size);
        table.unmap(iova, size);
    }

    /** The physical address of {@code iova}, or -1 if the driver has nothing mapped there. */
    long physical(long iova) {
        for (int i = 0; i < vmas.size(); i++) {
            Vma v = vmas.get(i);
            if (v.mapping.contains(iova)) {
                return v.physicalAddress + (iova - v.mapping.iova());
            }
        }
        return -1;
    }

    /**
     * The type of a fault at {@code iova} for {@code access}, from the driver's own mappings (allocation-free).
     */
    FaultType classify(long iova, Permissions access, boolean walkAborted) {
        if (walkAborted) {
            return FaultType.EXTERNAL;
        }
        for (int i = 0; i < vmas.size(); i++) {
            GpuMapping m = vmas.get(i).mapping;
            if (m.contains(iova)) {
                Permissions needed = Permissions.of(access.bits() & ~Permission.PRIV.bit());
                return m.access().containsAll(needed) ? FaultType.UNKNOWN : FaultType.PERMISSION;
            }
        }
        return FaultType.TRANSLATION;
    }

    List<GpuMapping> mappings() {
        return vmas.stream().map(Vma::mapping).toList();
    }

    /** io-pgtable protection bits for a GPU mapping ({@code msm_iommu_pagetable_map}). */
    static int protection(Permissions access) {
        int prot = Protection.CACHE;
        if (access.read()) {
            prot |= Protection.READ;
        }
        if (access.write()) {
            prot |= Protection.WRITE;
        }
        if (!access.exec()) {
            prot |= Protection.NOEXEC;
        }
        if (access.priv()) {
            prot |= Protection.PRIV;
        }
        return prot;
    }

    private record Vma(GpuMapping mapping, long physicalAddress) {
    }
}
