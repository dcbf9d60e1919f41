package dev.faultline.drivers.msm.internal;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.Permission;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.fault.UnrecoverableFault;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.platform.arm.FaultKind;
import dev.faultline.platform.arm.TableAddressTranslator;
import dev.faultline.platform.arm.TableWalker;
import dev.faultline.platform.arm.TranslationTable;
import dev.faultline.platform.arm.WalkResult;
import dev.faultline.platform.dma.DmaAccess;
import dev.faultline.platform.dma.DmaTransaction;
import dev.faultline.platform.dma.PageRequestMessage;
import dev.faultline.platform.dma.PrgResponseReceiver;
import dev.faultline.platform.dma.TranslationPort;
import dev.faultline.platform.memory.PhysicalMemory;
import dev.faultline.testkit.group.RecordingFaultGroup;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * An SMMU in front of one device that walks the tables the GPU driver attached, per PASID, with the platform's
 * table walker. A faulting access is stalled and delivered as a page request group when stall is on (SUCCESS
 * retries it, anything else aborts it), or aborted and delivered as an unrecoverable fault when stall is off.
 * Delivery is synchronous, on the issuing thread, so the device is blocked on its access while the handler runs.
 */
final class StallingSmmu implements TranslationPort, GpuSmmu {
    private final DeviceId device;
    private final TableWalker walker;
    private final Map<Integer, TranslationTable> tables = new HashMap<>();
    final List<RecordingFaultGroup> delivered = new ArrayList<>();
    final List<Boolean> stallChanges = new ArrayList<>();
    final List<String> attachments = new ArrayList<>();
    FaultHandler handler;
    /** Called while an access is stalled, before the handler is: other blocks fault meanwhile. */
    Consumer<RecordingFaultGroup> duringStall = g -> { };
    /** Whether reports wait in {@link #held} (a slow fault thread) instead of reaching the handler at once. */
    boolean holdReports;
    final List<RecordingFaultGroup> held = new ArrayList<>();
    private boolean stall;
    private int nextStag;

    StallingSmmu(DeviceId device, PhysicalMemory memory) {
        this.device = device;
        this.walker = new TableWalker(memory);
    }

    synchronized boolean stall() {
        return stall;
    }

    @Override
    public synchronized void attach(int pasid, String domain, TranslationTable table, int asid) {
        tables.put(pasid, table);
        attachments.add(pasid + "=" + domain);
    }

    @Override
    public synchronized void detach(int pasid) {
        tables.remove(pasid);
    }

    @Override
    public synchronized void setStall(boolean enabled) {
        stall = enabled;
        stallChanges.add(enabled);
    }

    @Override
    public boolean canSwitchStall() {
        return true;
    }

    @Override
    public String name() {
        return "stalling-smmu";
    }

    @Override
    public DmaTransaction issue(DmaTransaction tx) {
        tx.admit();
        DmaAccess access = tx.access();
        Permissions asked = access.type().isWrite() ? Permissions.WRITE
                : access.type().isInstruction() ? Permissions.of(Permission.READ, Permission.EXEC) : Permissions.READ;
        while (true) {
            TranslationTable table;
            boolean stallNow;
            synchronized (this) {
                table = tables.get(access.pasid());
                stallNow = stall;
            }
            WalkResult walk = table == null ? WalkResult.fault(FaultKind.TRANSLATION, 0, 0, 0)
                    : walker.walk(table.parameters(48), access.address(), access.type(), access.privileged(),
                            TableAddressTranslator.IDENTITY);
            if (walk.translated()) {
                tx.translate(walk.outputAddress());
                return tx;
            }
            if (!stallNow || walk.fault() == FaultKind.EXTERNAL_ABORT) {
                tx.abort();
                deliver(terminated(device, access.pasid(), access.address(), asked,
                        walk.fault() == FaultKind.EXTERNAL_ABORT ? walk.descriptorAddress() : 0));
                return tx;
            }
            tx.stall();
            RecordingFaultGroup group = RecordingFaultGroup.pageRequest(device, access.pasid(),
                    nextStag++ & 0xffff, access.address(), asked);
            duringStall.accept(group);
            deliver(group);
            if (group.answers().isEmpty() || group.answers().get(0) != ResponseCode.SUCCESS) {
                tx.abort();
                return tx;
            }
            tx.retry();
        }
    }

    /** A terminated access, as SMMUv3 reports it (the fetch address is the faulting descriptor's, if any). */
    private static RecordingFaultGroup terminated(DeviceId device, int pasid, long address, Permissions access,
            long fetch) {
        int flags = UnrecoverableFault.ADDR_VALID | (pasid >= 0 ? UnrecoverableFault.PASID_VALID : 0)
                | (fetch != 0 ? UnrecoverableFault.FETCH_ADDR_VALID : 0);
        return RecordingFaultGroup.unrecoverable(new UnrecoverableFault(device, flags, pasid, access, address, fetch,
                HardwareRecord.NONE));
    }

    void deliver(RecordingFaultGroup group) {
        synchronized (this) {
            delivered.add(group);
        }
        if (holdReports) {
            held.add(group);
        } else if (handler != null) {
            handler.handle(group);
        }
    }

    @Override
    public void pageRequest(PageRequestMessage message) {
        throw new UnsupportedOperationException("the GPU has no PRI");
    }

    @Override
    public void connect(int requesterId, PrgResponseReceiver receiver) {
    }

    @Override
    public void disconnect(int requesterId) {
    }
}
