package dev.faultline.drivers.usnic.internal;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.UnrecoverableFault;
import dev.faultline.platform.dma.DmaAccess;
import dev.faultline.platform.dma.DmaTransaction;
import dev.faultline.platform.dma.PageRequestMessage;
import dev.faultline.platform.dma.PrgResponseReceiver;
import dev.faultline.platform.dma.TranslationPort;
import dev.faultline.platform.memory.PhysicalMemory;
import dev.faultline.platform.x86.FirstLevelPageTable;
import dev.faultline.platform.x86.FirstLevelWalker;
import dev.faultline.platform.x86.WalkResult;

/**
 * A VT-d unit and its backend in one: walks the PD's first-level table for each access, and for a failed walk aborts the
 * access and reports an unrecoverable fault into the core through the device's port, as a backend's fault
 * thread does.
 */
final class ReportingIommu implements TranslationPort {
    private final FirstLevelWalker walker;
    private final FirstLevelPageTable table;
    DevicePort port;

    ReportingIommu(PhysicalMemory memory, FirstLevelPageTable table) {
        this.walker = new FirstLevelWalker(memory, 48, 1L << 40, false);
        this.table = table;
    }

    @Override
    public String name() {
        return "reporting-iommu";
    }

    @Override
    public DmaTransaction issue(DmaTransaction tx) {
        tx.admit();
        DmaAccess access = tx.access();
        WalkResult walk = walker.walk(table.root(), access.address(),
                access.type().isWrite() ? FirstLevelWalker.WRITE : 0);
        if (walk.translated()) {
            tx.translate(walk.outputAddress());
            return tx;
        }
        tx.abort();
        port.reportUnrecoverable(UnrecoverableFault.ADDR_VALID, Pasid.NONE,
                access.type().isWrite() ? Permissions.WRITE : Permissions.READ, access.address(), 0,
                HardwareRecord.NONE);
        return tx;
    }

    @Override
    public void pageRequest(PageRequestMessage message) {
        throw new UnsupportedOperationException("no PRI");
    }

    @Override
    public void connect(int requesterId, PrgResponseReceiver receiver) {
    }

    @Override
    public void disconnect(int requesterId) {
    }
}
