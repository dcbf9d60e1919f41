package dev.faultline.drivers.remoteproc.internal;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Permission;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.platform.dma.AccessType;
import dev.faultline.platform.dma.DmaAccess;
import dev.faultline.platform.dma.DmaTransaction;
import dev.faultline.platform.dma.PageRequestMessage;
import dev.faultline.platform.dma.PrgResponseReceiver;
import dev.faultline.platform.dma.TranslationPort;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An IOMMU without stall: translates through the pages its domain mapped, aborts any other access and
 * delivers it, at once and on the issuing thread, as an unrecoverable fault to the handler.
 */
final class SoftIommu implements TranslationPort, DomainMapping {
    private final DeviceId device;
    private final Map<Long, long[]> pages = new HashMap<>();
    final List<RecordingFaultGroup> delivered = new ArrayList<>();
    FaultHandler handler;

    SoftIommu(DeviceId device) {
        this.device = device;
    }

    @Override
    public synchronized void map(long iova, long physicalAddress, long size, Permissions access) {
        for (long off = 0; off < size; off += 4096) {
            if (pages.putIfAbsent(iova + off, new long[] {physicalAddress + off, access.bits()}) != null) {
                throw new IllegalArgumentException("already mapped");
            }
        }
    }

    @Override
    public synchronized void unmap(long iova, long size) {
        for (long off = 0; off < size; off += 4096) {
            pages.remove(iova + off);
        }
    }

    synchronized boolean mapped(long iova) {
        return pages.containsKey(iova & ~0xfffL);
    }

    @Override
    public String name() {
        return "soft-iommu";
    }

    @Override
    public DmaTransaction issue(DmaAccess access) {
        DmaTransaction tx = new DmaTransaction(access);
        Permissions asked = asked(access.type());
        long[] entry;
        synchronized (this) {
            entry = pages.get(access.pageAddress());
        }
        if (entry != null && Permissions.of((int) entry[1]).containsAll(asked)) {
            tx.translate(entry[0] + (access.address() & 0xfff));
            return tx;
        }
        tx.abort();
        RecordingFaultGroup group = RecordingFaultGroup.unrecoverable(device, access.address(), asked);
        delivered.add(group);
        if (handler != null) {
            handler.handle(group);
        }
        return tx;
    }

    static Permissions asked(AccessType type) {
        return switch (type) {
            case READ -> Permissions.READ;
            case WRITE -> Permissions.WRITE;
            case INSTRUCTION_FETCH -> Permissions.of(Permission.READ, Permission.EXEC);
        };
    }

    @Override
    public void pageRequest(PageRequestMessage message) {
        throw new UnsupportedOperationException("no PRI here");
    }

    @Override
    public void connect(int requesterId, PrgResponseReceiver receiver) {
    }

    @Override
    public void disconnect(int requesterId) {
    }
}
