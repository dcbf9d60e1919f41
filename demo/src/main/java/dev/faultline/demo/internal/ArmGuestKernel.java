package dev.faultline.demo.internal;

import dev.faultline.platform.arm.TranslationTable;
import dev.faultline.platform.smmuv3.Command;
import dev.faultline.platform.smmuv3.ContextDescriptor;
import dev.faultline.platform.smmuv3.EventRecord;
import dev.faultline.platform.smmuv3.QueuePointer;
import dev.faultline.platform.smmuv3.SmmuRegisters;
import dev.faultline.platform.smmuv3.StreamTableEntry;
import dev.faultline.viommu.VirtualSmmuV3;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo's Arm guest kernel, as far as its SMMUv3 driver goes (what Linux's arm-smmu-v3 does at probe and at
 * attach): a linear stream table, a CD per device, a command queue and an event queue, all in the guest's RAM,
 * reached only through the virtual SMMUv3's registers.
 */
final class ArmGuestKernel {
    private static final int STRTAB_LOG2 = 6;
    private static final int QUEUE_LOG2 = 6;
    /** CD.IPS encoding of a 48-bit output size (Arm ARM VMSAv8-64 levels). */
    private static final int IPS_48_BITS = 5;
    private static final int ASID = 1;
    private static final int CR0_ENABLES = SmmuRegisters.CR0_SMMUEN | SmmuRegisters.CR0_EVTQEN
            | SmmuRegisters.CR0_CMDQEN;

    private final GuestRam ram;
    private final VirtualSmmuV3 smmu;
    private final long strtab;
    private final long cmdq;
    private final long evtq;
    private int cmdqProd;
    private int evtqCons;

    ArmGuestKernel(GuestRam ram, VirtualSmmuV3 smmu) {
        this.ram = ram;
        this.smmu = smmu;
        this.strtab = ram.frames().allocate(StreamTableEntry.BYTES << STRTAB_LOG2, 0x1000);
        this.cmdq = ram.frames().allocate(Command.BYTES << QUEUE_LOG2, 0x1000);
        this.evtq = ram.frames().allocate(EventRecord.BYTES << QUEUE_LOG2, 0x1000);
    }

    /** Probe: tables and queues programmed, then the SMMU enabled; false if CR0ACK does not follow. */
    boolean probe() {
        smmu.write64(SmmuRegisters.STRTAB_BASE, strtab);
        smmu.write32(SmmuRegisters.STRTAB_BASE_CFG, STRTAB_LOG2);
        smmu.write64(SmmuRegisters.CMDQ_BASE, cmdq | QUEUE_LOG2);
        smmu.write64(SmmuRegisters.EVENTQ_BASE, evtq | QUEUE_LOG2);
        smmu.write32(SmmuRegisters.CR0, CR0_ENABLES);
        return smmu.read32(SmmuRegisters.CR0ACK) == CR0_ENABLES;
    }

    /**
     * Attach: the device's CD for {@code table} and its STE (stage 1, one CD), made visible with CMD_CFGI_STE and
     * CMD_SYNC; false if the SMMU did not consume the commands.
     */
    boolean attach(int streamId, TranslationTable table) {
        long cd = ram.frames().allocate(ContextDescriptor.BYTES, ContextDescriptor.BYTES);
        write(cd, ContextDescriptor.linux(table.inputBits(), IPS_48_BITS, ASID, table.root(), false).encode());
        write(strtab + (long) StreamTableEntry.BYTES * streamId, StreamTableEntry.builder()
                .config(true, StreamTableEntry.CFG_S1_TRANS).contextTable(cd, 0, 0)
                .stage1Controls(StreamTableEntry.S1DSS_TERMINATE, false, 0).build().encode());
        for (Command c : List.of(Command.ConfigInvalidation.ste(streamId), Command.Sync.sev())) {
            long slot = cmdq + (long) Command.BYTES * QueuePointer.index(cmdqProd, QUEUE_LOG2);
            ram.write64(slot, c.dw0());
            ram.write64(slot + Long.BYTES, c.dw1());
            cmdqProd = QueuePointer.increment(cmdqProd, QUEUE_LOG2);
        }
        smmu.write32(SmmuRegisters.CMDQ_PROD, cmdqProd);
        return smmu.read32(SmmuRegisters.CMDQ_CONS) == cmdqProd;
    }

    /** The event interrupt's work: the records between CONS and PROD, then CONS (and OVACKFLG) written back. */
    List<EventRecord> readEvents() {
        int prod = smmu.read32(SmmuRegisters.EVENTQ_PROD);
        List<EventRecord> out = new ArrayList<>();
        while (!QueuePointer.empty(prod, evtqCons, QUEUE_LOG2)) {
            long at = evtq + (long) EventRecord.BYTES * QueuePointer.index(evtqCons, QUEUE_LOG2);
            out.add(EventRecord.decode(ram.read64(at), ram.read64(at + 8), ram.read64(at + 16), ram.read64(at + 24)));
            evtqCons = QueuePointer.increment(evtqCons, QUEUE_LOG2);
        }
        evtqCons = QueuePointer.position(evtqCons, QUEUE_LOG2) | QueuePointer.overflow(prod);
        smmu.write32(SmmuRegisters.EVENTQ_CONS, evtqCons);
        return out;
    }

    private void write(long at, long[] words) {
        for (int i = 0; i < words.length; i++) {
            ram.write64(at + (long) Long.BYTES * i, words[i]);
        }
    }
}
