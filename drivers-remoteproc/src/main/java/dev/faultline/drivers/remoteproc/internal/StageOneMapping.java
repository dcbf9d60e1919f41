package dev.faultline.drivers.remoteproc.internal;

import dev.faultline.api.fault.Permissions;
import dev.faultline.platform.arm.Protection;
import dev.faultline.platform.arm.TranslationTable;

/**
 * The processor's domain as a VMSAv8-64 stage-1 table ({@code io-pgtable-arm}), which the SMMU backend
 * installs as the processor's context descriptor. Carveouts become page or block mappings with the region's
 * access: no write permission for read-only regions, execute-never for regions without execute.
 */
public final class StageOneMapping implements DomainMapping {
    private final TranslationTable table;

    /** A mapping over {@code table} (stage 1). */
    public StageOneMapping(TranslationTable table) {
        this.table = table;
    }

    /** The table, to attach. */
    public TranslationTable table() {
        return table;
    }

    @Override
    public void map(long iova, long physicalAddress, long size, Permissions access) {
        int prot = Protection.CACHE | (access.read() ? Protection.READ : 0) | (access.write() ? Protection.WRITE : 0)
                | (access.exec() ? 0 : Protection.NOEXEC);
        try {
            table.map(iova, physicalAddress, size, prot);
        } catch (IllegalStateException alreadyMapped) {
            throw new IllegalArgumentException(alreadyMapped.getMessage(), alreadyMapped);
        }
    }

    @Override
    public void unmap(long iova, long size) {
        table.unmap(iova, size);
    }
}
