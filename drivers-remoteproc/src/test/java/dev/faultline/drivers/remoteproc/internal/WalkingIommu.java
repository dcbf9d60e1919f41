package dev.faultline.drivers.remoteproc.internal;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Permission;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.platform.arm.TableAddressTranslator;
import dev.faultline.platform.arm.TableWalker;
import dev.faultline.platform.arm.TranslationTable;
import dev.faultline.platform.arm.WalkResult;
import dev.faultline.platform.dma.AccessType;
import dev.faultline.platform.dma.DmaAccess;
import dev.faultline.platform.dma.DmaTransaction;
import dev.faultline.platform.dma.PageRequestMessage;
import dev.faultline.platform.dma.PrgResponseReceiver;
import dev.faultline.platform.dma.TranslationPort;
import dev.faultline.platform.memory.PhysicalMemory;
import dev.faultline.testkit.group.RecordingFaultGroup;
import java.util.ArrayList;
import java.util.List;

/**
 * An IOMMU without stall over the processor's stage-1 table: walks it with the platform's table walker for
 * each access, aborts an access whose walk faults and delivers it, at once and on the issuing thread, as an
 * unrecoverable fault to the handler.
 */
final class WalkingIommu implements TranslationPort {
    private final DeviceId device;
    private final TableWalker walker;
    private final TranslationTable table;
    final List<RecordingFaultGroup> delivered = new ArrayList<>();
    FaultHandler handler;

    WalkingIommu(DeviceId device, PhysicalMemory memory, TranslationTable table) {
        this.device = device;
        this.walker = new TableWalker(memory);
        this.table = table;
    }

    boolean mapped(long iova) {
        return table.leafDescriptorAddress(iova).isPresent();
    }

    @Override
    public String name() {
        return "walking-iommu";
    }

    @Override
    public DmaTransaction issue(DmaTransaction tx) {
        tx.admit();
        DmaAccess access = tx.access();
        Permissions asked = asked(access.type());
        WalkResult walk = walker.walk(table.parameters(48), access.address(), access.type(), access.privileged(),
                TableAddressTranslator.IDENTITY);
        if (walk.translated()) {
            tx.translate(walk.outputAddress());
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
