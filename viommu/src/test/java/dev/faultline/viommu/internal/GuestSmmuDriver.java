package dev.faultline.viommu.internal;

import static dev.faultline.platform.smmuv3.SmmuRegisters.CMDQ_BASE;
import static dev.faultline.platform.smmuv3.SmmuRegisters.CMDQ_CONS;
import static dev.faultline.platform.smmuv3.SmmuRegisters.CMDQ_PROD;
import static dev.faultline.platform.smmuv3.SmmuRegisters.CR0;
import static dev.faultline.platform.smmuv3.SmmuRegisters.CR0ACK;
import static dev.faultline.platform.smmuv3.SmmuRegisters.CR0_CMDQEN;
import static dev.faultline.platform.smmuv3.SmmuRegisters.CR0_EVTQEN;
import static dev.faultline.platform.smmuv3.SmmuRegisters.CR0_SMMUEN;
import static dev.faultline.platform.smmuv3.SmmuRegisters.EVENTQ_BASE;
import static dev.faultline.platform.smmuv3.SmmuRegisters.EVENTQ_CONS;
import static dev.faultline.platform.smmuv3.SmmuRegisters.EVENTQ_PROD;
import static dev.faultline.platform.smmuv3.SmmuRegisters.STRTAB_BASE;
import static dev.faultline.platform.smmuv3.SmmuRegisters.STRTAB_BASE_CFG;

import dev.faultline.platform.arm.TranslationTable;
import dev.faultline.platform.memory.FrameAllocator;
import dev.faultline.platform.smmuv3.Command;
import dev.faultline.platform.smmuv3.ContextDescriptor;
import dev.faultline.platform.smmuv3.EventRecord;
import dev.faultline.platform.smmuv3.QueuePointer;
import dev.faultline.platform.smmuv3.SmmuRegisters;
import dev.faultline.platform.smmuv3.StreamTableEntry;
import dev.faultline.viommu.GuestMemoryWindow;
import dev.faultline.viommu.VirtualSmmuV3;
import java.util.ArrayList;
import java.util.List;

/**
 * Test code acting as a guest kernel's SMMUv3 driver, as Linux's arm-smmu-v3 programs the hardware: a linear
 * stream table, one stage-1 table and a linear CD table per stream in guest memory, the command and event queues
 * in guest memory, everything reached through the virtual SMMU's registers. The guest RAM window starts at host
 * physical 0 in its own memory, so the addresses the builders write are guest-physical ones.
 */
final class GuestSmmuDriver {
    static final int STRTAB_LOG2 = 8;
    static final int CMDQ_LOG2 = 8;
    /** CD.IPS encoding of a 48-bit output size (Arm ARM VMSAv8-64). */
    static final int IPS_48 = 5;

    final GuestMemoryWindow ram;
    final FrameAllocator frames;
    final VirtualSmmuV3 smmu;
    final long strtab;
    final long cmdq;
    final long evtq;
    final int evtqLog2;
    private int cmdqProd;
    private int evtqCons;

    GuestSmmuDriver(GuestMemoryWindow ram, VirtualSmmuV3 smmu, int evtqLog2) {
        this.ram = ram;
        this.smmu = smmu;
        this.evtqLog2 = evtqLog2;
        if (ram.base() != 0) {
            throw new IllegalArgumentException("the test guest's RAM window starts at 0");
        }
        this.frames = new FrameAllocator(ram.memory(), 0x1_0000L, ram.size() - 0x1_0000L);
        this.strtab = frames.allocate(64L << STRTAB_LOG2, 64L << STRTAB_LOG2);
        this.cmdq = frames.allocate(16L << CMDQ_LOG2, 16L << CMDQ_LOG2);
        this.evtq = frames.allocate(Math.max(0x1000, 32L << evtqLog2), Math.max(0x1000, 32L << evtqLog2));
    }

    /** Linux's arm_smmu_device_reset, in order: tables, queues, then the enables, each acknowledged. */
    void reset() {
        smmu.write64(STRTAB_BASE, strtab | SmmuRegisters.STRTAB_BASE_RA);
        smmu.write32(STRTAB_BASE_CFG, STRTAB_LOG2);
        smmu.write64(CMDQ_BASE, cmdq | CMDQ_LOG2 | SmmuRegisters.Q_BASE_RWA);
        smmu.write32(CMDQ_PROD, 0);
        smmu.write32(CMDQ_CONS, 0);
        smmu.write64(EVENTQ_BASE, evtq | evtqLog2 | SmmuRegisters.Q_BASE_RWA);
        smmu.write32(EVENTQ_PROD, 0);
        smmu.write32(EVENTQ_CONS, 0);
        enable(CR0_CMDQEN);
        submit(Command.ConfigInvalidation.all(), new Command.Invalidation(Command.OP_TLBI_NSNH_ALL, 0));
        enable(CR0_CMDQEN | CR0_EVTQEN);
        enable(CR0_CMDQEN | CR0_EVTQEN | CR0_SMMUEN);
    }

    void enable(int cr0) {
        smmu.write32(CR0, cr0);
        if (smmu.read32(CR0ACK) != cr0) {
            throw new IllegalStateException(String.format("CR0ACK 0x%x after writing CR0 0x%x", smmu.read32(CR0ACK),
                    cr0));
        }
    }

    /** A stage-1 page table in guest RAM (tables hold IPAs). */
    TranslationTable stage1() {
        return TranslationTable.stage1(frames, 48);
    }

    /** A linear CD table of 2^cdMax CDs; CD {@code ssid} points at {@code table} when given. */
    long cdTable(int cdMax) {
        long bytes = 64L << cdMax;
        return frames.allocate(bytes, bytes);
    }

    /** Writes Linux's CD for {@code table} at {@code ssid} of the CD table at {@code cdTable}. */
    void writeCd(long cdTable, int ssid, TranslationTable table, boolean stall) {
        write(cdTable + 64L * ssid, ContextDescriptor.linux(48, IPS_48, 1 + ssid, table.root(), stall)
                .encode());
    }

    /** Writes the STE Linux's arm_smmu_make_cdtable_ste builds (S1 translate, WBRA, ISH), plus MEV. */
    void writeSte(int sid, long cdTable, int cdMax, int s1Dss, boolean mev) {
        StreamTableEntry ste = StreamTableEntry.builder().config(true, StreamTableEntry.CFG_S1_TRANS)
                .contextTable(cdTable, 0, cdMax).stage1Controls(s1Dss, false, 0).flags(false, mev).build();
        write(strtab + 64L * sid, ste.encode());
    }

    /** Writes raw STE dwords. */
    void writeSteWords(int sid, long... words) {
        long[] d = new long[8];
        System.arraycopy(words, 0, d, 0, words.length);
        write(strtab + 64L * sid, d);
    }

    /** One stream given stage 1 with a single CD, installed with CMD_CFGI_STE + CMD_SYNC. */
    TranslationTable attach(int sid, boolean stall, boolean mev) {
        TranslationTable table = stage1();
        long cd = cdTable(0);
        writeCd(cd, 0, table, stall);
        writeSte(sid, cd, 0, 0, mev);
        submit(Command.ConfigInvalidation.ste(sid), Command.Sync.sev());
        return table;
    }

    /** Writes the commands at PROD, publishes PROD, and returns CMDQ_CONS after the SMMU consumed them. */
    int submit(Command... commands) {
        long[][] raw = new long[commands.length][];
        for (int i = 0; i < commands.length; i++) {
            raw[i] = new long[] {commands[i].dw0(), commands[i].dw1()};
        }
        return submitRaw(raw);
    }

    int submitRaw(long[]... commands) {
        for (long[] c : commands) {
            long at = cmdq + 16L * QueuePointer.index(cmdqProd, CMDQ_LOG2);
            ram.write64(at, c[0]);
            ram.write64(at + 8, c[1]);
            cmdqProd = QueuePointer.increment(cmdqProd, CMDQ_LOG2);
        }
        smmu.write32(CMDQ_PROD, cmdqProd);
        return smmu.read32(CMDQ_CONS);
    }

    int cmdqProd() {
        return cmdqProd;
    }

    /**
     * Linux's evtq thread: reads the records between CONS and PROD, then writes CONS with OVACKFLG = OVFLG.
     *
     * @param overflowSeen receives whether PROD showed a new overflow, if not null
     */
    List<EventRecord> readEvents(boolean[] overflowSeen) {
        int prod = smmu.read32(EVENTQ_PROD);
        List<EventRecord> out = new ArrayList<>();
        while (!QueuePointer.empty(prod, evtqCons, evtqLog2)) {
            long at = evtq + 32L * QueuePointer.index(evtqCons, evtqLog2);
            out.add(EventRecord.decode(ram.read64(at), ram.read64(at + 8), ram.read64(at + 16), ram.read64(at + 24)));
            evtqCons = QueuePointer.increment(evtqCons, evtqLog2) & ~SmmuRegisters.Q_OVERFLOW_FLAG;
        }
        if (overflowSeen != null) {
            overflowSeen[0] = QueuePointer.overflow(prod) != QueuePointer.overflow(smmu.read32(EVENTQ_CONS));
        }
        evtqCons = QueuePointer.position(evtqCons, evtqLog2) | QueuePointer.overflow(prod);
        smmu.write32(EVENTQ_CONS, evtqCons);
        return out;
    }

    List<EventRecord> readEvents() {
        return readEvents(null);
    }

    /** CMD_RESUME of a stall record: retry (SUCCESS) or abort. */
    int resume(EventRecord stall, boolean retry) {
        return submit(new Command.Resume(stall.sid(), stall.stag(), retry, !retry));
    }

    void write(long ipa, long[] words) {
        for (int i = 0; i < words.length; i++) {
            ram.write64(ipa + 8L * i, words[i]);
        }
    }
}
