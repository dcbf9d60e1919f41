package dev.faultline.platform.vtd;

import dev.faultline.api.fault.Pasid;
import dev.faultline.platform.dma.PrgResponseMessage;
import dev.faultline.platform.memory.FrameAllocator;
import dev.faultline.platform.memory.PhysicalMemory;
import dev.faultline.platform.x86.FirstLevelPageTable;
import java.util.ArrayList;
import java.util.List;

/**
 * A unit programmed the way a driver does it, through registers and tables in memory: scalable-mode root
 * table, translation enabled, an invalidation queue of 256-bit descriptors, optionally a page request queue.
 */
final class UnitFixture {
    static final long MEMORY_TOP = 1L << 36;
    final PhysicalMemory memory = new PhysicalMemory();
    final FrameAllocator allocator = new FrameAllocator(memory, 0x100_0000L, 0x1000_0000L);
    final RemappingUnit unit;
    final long rootTable;
    final long invalidationQueue;
    final List<UnitInterrupt> interrupts = new ArrayList<>();
    final List<PrgResponseMessage> responses = new ArrayList<>();
    long statusWord;

    UnitFixture(int faultRecords) {
        unit = new RemappingUnit(UnitConfiguration.standard("dmar0", 0, faultRecords, MEMORY_TOP), memory);
        unit.connectInterrupts(interrupts::add);
        rootTable = allocator.allocatePage();
        unit.write64(RegisterMap.RTADDR, rootTable | RegisterMap.RTADDR_SMT);
        unit.write32(RegisterMap.GCMD, RegisterMap.GCMD_SRTP);
        invalidationQueue = allocator.allocate(2 * 4096, 4096);
        unit.write64(RegisterMap.IQT, 0);
        unit.write64(RegisterMap.IQA, invalidationQueue | RegisterMap.IQA_DW | 1);
        unit.write32(RegisterMap.GCMD, RegisterMap.GCMD_QIE);
        unit.write32(RegisterMap.GCMD, RegisterMap.GCMD_QIE | RegisterMap.GCMD_TE);
        for (UnitInterrupt interrupt : UnitInterrupt.values()) {
            unit.write32(interrupt.controlRegister(), 0);
        }
        statusWord = allocator.allocate(8, 8);
    }

    /** Programs a page request queue of 2^order pages at a fresh block and returns its base. */
    long pageRequestQueue(int order) {
        long base = allocator.allocate(4096L << order, 4096);
        unit.write64(RegisterMap.PQH, 0);
        unit.write64(RegisterMap.PQT, 0);
        unit.write64(RegisterMap.PQA, base | order);
        return base;
    }

    /** The context entry address of {@code rid}, creating the context table (root entry) if needed. */
    long contextEntry(int rid) {
        long rootEntry = rootTable + RootEntry.offset(rid >>> 8) + ((rid & 0x80) != 0 ? 8 : 0);
        long root = memory.read64(rootEntry);
        if ((root & 1) == 0) {
            root = allocator.allocatePage() | 1;
            memory.write64(rootEntry, root);
        }
        return (root & ~0xfffL) + ContextEntry.offset(rid & 0xff);
    }

    /**
     * Makes {@code rid} present with PASID and page requests enabled, PDTS 4, RID_PASID 0, and returns the
     * PASID entry address for {@code pasid} ({@link Pasid#NONE}: the RID_PASID entry).
     */
    long pasidEntry(int rid, int pasid) {
        long context = contextEntry(rid);
        long qw0 = memory.read64(context);
        if ((qw0 & 1) == 0) {
            long directory = allocator.allocate(2048 * 8, 4096);
            qw0 = new ContextEntry(true, false, true, true, true, 4, directory, 0, false).qw0();
            memory.write64(context, qw0);
        }
        int index = pasid == Pasid.NONE ? 0 : pasid;
        long directoryEntry = (qw0 & ~0xfffL) + PasidDirectoryEntry.offset(index);
        long dir = memory.read64(directoryEntry);
        if ((dir & 1) == 0) {
            dir = new PasidDirectoryEntry(true, false, allocator.allocatePage()).value();
            memory.write64(directoryEntry, dir);
        }
        return (dir & ~0xfffL) + PasidEntry.offset(index);
    }

    void writePasidEntry(long address, PasidEntry entry) {
        writePasidEntryOnly(address, entry);
        submit(GLOBAL_PASID_CACHE_INVALIDATION, 0); // as software must after changing an entry (VT-d §6.5)
    }

    /** Writes the entry without invalidating the PASID cache (a driver bug, for the tests that catch it). */
    void writePasidEntryOnly(long address, PasidEntry entry) {
        for (int i = 0; i < 8; i++) {
            memory.write64(address + 8L * i, entry.word(i));
        }
    }

    /** {@code pc_inv_dsc} with global granularity (Linux {@code QI_PC_TYPE | QI_PC_GRAN(QI_PC_GLOBAL)}). */
    static final long GLOBAL_PASID_CACHE_INVALIDATION = 0x7 | 3L << 4;

    /** Attaches {@code (rid, pasid)} to a new first-level table and returns it. */
    FirstLevelPageTable attach(int rid, int pasid) {
        FirstLevelPageTable table = new FirstLevelPageTable(allocator, FirstLevelPageTable.PAGE_2M);
        writePasidEntry(pasidEntry(rid, pasid), PasidEntry.firstLevel(table.root(), 1, false));
        return table;
    }

    /** Submits 256-bit descriptors (pairs of qwords, qw2/qw3 zero) at IQT and advances IQT. */
    void submit(long... qwords) {
        long tail = unit.read64(RegisterMap.IQT);
        for (int i = 0; i < qwords.length; i += 2) {
            long slot = invalidationQueue + tail;
            memory.write64(slot, qwords[i]);
            memory.write64(slot + 8, qwords[i + 1]);
            memory.write64(slot + 16, 0);
            memory.write64(slot + 24, 0);
            tail = (tail + 32) % (2 * 4096);
        }
        unit.write64(RegisterMap.IQT, tail);
    }

    FaultRecord faultRecord(int index) {
        int offset = unit.configuration().capability().faultRecordOffset(index);
        return FaultRecord.decode(unit.read64(offset), unit.read64(offset + 8));
    }

    void clearFaultRecord(int index) {
        unit.write32(unit.configuration().capability().faultRecordOffset(index) + 12, RegisterMap.FRCD_F);
    }

    FaultStatus faultStatus() {
        return new FaultStatus(unit.read32(RegisterMap.FSTS));
    }
}
