package dev.faultline.platform.smmuv3;

import dev.faultline.platform.arm.TranslationTable;
import dev.faultline.platform.memory.FrameAllocator;
import dev.faultline.platform.memory.PhysicalMemory;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal test driver for {@link Smmu}: lays out a linear stream table and the three queues, enables the SMMU,
 * and reads and writes queues exactly as software does, through registers and memory.
 */
final class SmmuRig {
    final PhysicalMemory memory = new PhysicalMemory();
    final FrameAllocator frames = new FrameAllocator(memory, 0x4000_0000L, 0x1000_0000L);
    final Smmu smmu;
    final long strtab;
    final long evtq;
    final long priq;
    final long cmdq;
    final int evtqLog2;
    final int priqLog2;
    final int cmdqLog2;
    private int cmdProd;

    SmmuRig(SmmuFeatures features, int evtqLog2, int priqLog2, int cmdqLog2) {
        this.smmu = new Smmu("smmuv3.test", features, memory);
        this.evtqLog2 = evtqLog2;
        this.priqLog2 = priqLog2;
        this.cmdqLog2 = cmdqLog2;
        strtab = frames.allocate(256 * 64, 4096);
        evtq = frames.allocate(Math.max(32L << evtqLog2, 4096), Math.max(32L << evtqLog2, 4096));
        priq = frames.allocate(Math.max(16L << priqLog2, 4096), Math.max(16L << priqLog2, 4096));
        cmdq = frames.allocate(Math.max(16L << cmdqLog2, 4096), Math.max(16L << cmdqLog2, 4096));
        smmu.write64(SmmuRegisters.STRTAB_BASE, strtab | SmmuRegisters.STRTAB_BASE_RA);
        smmu.write32(SmmuRegisters.STRTAB_BASE_CFG, 8); // linear, 256 streams
        smmu.write64(SmmuRegisters.EVENTQ_BASE, evtq | evtqLog2 | SmmuRegisters.Q_BASE_RWA);
        smmu.write64(SmmuRegisters.PRIQ_BASE, priq | priqLog2 | SmmuRegisters.Q_BASE_RWA);
        smmu.write64(SmmuRegisters.CMDQ_BASE, cmdq | cmdqLog2 | SmmuRegisters.Q_BASE_RWA);
        smmu.write32(SmmuRegisters.CR0, SmmuRegisters.CR0_SMMUEN | SmmuRegisters.CR0_EVTQEN
                | SmmuRegisters.CR0_PRIQEN | SmmuRegisters.CR0_CMDQEN);
    }

    SmmuRig() {
        this(SmmuFeatures.defaults(), 4, 4, 4);
    }

    void writeSte(int sid, StreamTableEntry ste) {
        long[] d = ste.encode();
        for (int i = 0; i < d.length; i++) {
            memory.write64(strtab + 64L * sid + 8L * i, d[i]);
        }
    }

    long writeCd(ContextDescriptor cd) {
        long at = frames.allocate(64, 64);
        writeCd(at, cd);
        return at;
    }

    void writeCd(long at, ContextDescriptor cd) {
        long[] d = cd.encode();
        for (int i = 0; i < d.length; i++) {
            memory.write64(at + 8L * i, d[i]);
        }
    }

    /** A stage-1 stream with one CD (no substreams) over {@code table}; S per {@code stall}. */
    ContextDescriptor stage1Stream(int sid, TranslationTable table, boolean stall) {
        ContextDescriptor cd = ContextDescriptor.linux(table.inputBits(), 5, 1, table.root(), stall);
        long at = writeCd(cd);
        writeSte(sid, StreamTableEntry.builder().config(true, StreamTableEntry.CFG_S1_TRANS).contextTable(at, 0, 0)
                .stage1Controls(0, false, 0).build());
        return cd;
    }

    /** Consumes every event record, acknowledging overflow as Linux does. */
    List<EventRecord> drainEvents() {
        List<EventRecord> out = new ArrayList<>();
        int prod = smmu.read32(SmmuRegisters.EVENTQ_PROD);
        int cons = smmu.read32(SmmuRegisters.EVENTQ_CONS);
        while (!QueuePointer.empty(prod, cons, evtqLog2)) {
            long slot = evtq + 32L * QueuePointer.index(cons, evtqLog2);
            out.add(EventRecord.decode(memory.read64(slot), memory.read64(slot + 8), memory.read64(slot + 16),
                    memory.read64(slot + 24)));
            cons = QueuePointer.increment(cons, evtqLog2);
        }
        smmu.write32(SmmuRegisters.EVENTQ_CONS, QueuePointer.overflow(prod) | QueuePointer.position(cons, evtqLog2));
        return out;
    }

    List<PriEntry> drainPri() {
        List<PriEntry> out = new ArrayList<>();
        int prod = smmu.read32(SmmuRegisters.PRIQ_PROD);
        int cons = smmu.read32(SmmuRegisters.PRIQ_CONS);
        while (!QueuePointer.empty(prod, cons, priqLog2)) {
            long slot = priq + 16L * QueuePointer.index(cons, priqLog2);
            out.add(PriEntry.decode(memory.read64(slot), memory.read64(slot + 8)));
            cons = QueuePointer.increment(cons, priqLog2);
        }
        smmu.write32(SmmuRegisters.PRIQ_CONS, QueuePointer.overflow(prod) | QueuePointer.position(cons, priqLog2));
        return out;
    }

    /** Writes commands at PROD and publishes them with one CMDQ_PROD write. */
    void submit(Command... commands) {
        for (Command c : commands) {
            long slot = cmdq + 16L * QueuePointer.index(cmdProd, cmdqLog2);
            memory.write64(slot, c.dw0());
            memory.write64(slot + 8, c.dw1());
            cmdProd = QueuePointer.increment(cmdProd, cmdqLog2);
        }
        smmu.write32(SmmuRegisters.CMDQ_PROD, cmdProd);
    }

    void submitRaw(long dw0, long dw1) {
        long slot = cmdq + 16L * QueuePointer.index(cmdProd, cmdqLog2);
        memory.write64(slot, dw0);
        memory.write64(slot + 8, dw1);
        cmdProd = QueuePointer.increment(cmdProd, cmdqLog2);
        smmu.write32(SmmuRegisters.CMDQ_PROD, cmdProd);
    }
}
