package dev.faultline.viommu.internal;

import static dev.faultline.platform.vtd.RegisterMap.FSTS;
import static dev.faultline.platform.vtd.RegisterMap.GCMD;
import static dev.faultline.platform.vtd.RegisterMap.GSTS;
import static dev.faultline.platform.vtd.RegisterMap.IQA;
import static dev.faultline.platform.vtd.RegisterMap.IQH;
import static dev.faultline.platform.vtd.RegisterMap.IQT;
import static dev.faultline.platform.vtd.RegisterMap.PQA;
import static dev.faultline.platform.vtd.RegisterMap.PQH;
import static dev.faultline.platform.vtd.RegisterMap.PQT;
import static dev.faultline.platform.vtd.RegisterMap.PRS;
import static dev.faultline.platform.vtd.RegisterMap.RTADDR;

import dev.faultline.api.fault.Pasid;
import dev.faultline.platform.memory.FrameAllocator;
import dev.faultline.platform.vtd.Capability;
import dev.faultline.platform.vtd.ContextEntry;
import dev.faultline.platform.vtd.FaultRecord;
import dev.faultline.platform.vtd.FaultStatus;
import dev.faultline.platform.vtd.InvalidationWait;
import dev.faultline.platform.vtd.PageGroupResponse;
import dev.faultline.platform.vtd.PageRequestDescriptor;
import dev.faultline.platform.vtd.PasidDirectoryEntry;
import dev.faultline.platform.vtd.PasidEntry;
import dev.faultline.platform.vtd.RegisterMap;
import dev.faultline.platform.vtd.RootEntry;
import dev.faultline.viommu.GuestMemoryWindow;
import dev.faultline.viommu.VirtualVtd;
import java.util.ArrayList;
import java.util.List;

/**
 * Test code acting as a guest kernel's VT-d driver, as Linux's intel-iommu programs the hardware in scalable
 * mode: the invalidation queue of 256-bit descriptors (QS 1), the root table, context tables, PASID directories
 * and tables in guest memory, the page request queue, everything reached through the unit's registers, and each
 * change followed by the invalidations caching mode asks for, then a status-writing wait ({@code qi_submit_sync}).
 * Faults are read as {@code dmar_fault} does, page requests as {@code prq_event_thread} does. The guest RAM
 * window starts at host physical 0 in its own memory, so the addresses the builders write are guest-physical.
 */
final class GuestVtdDriver {
    /** Linux: QI_LENGTH 256 descriptors of 32 bytes (DW = 1, QS = 1). */
    static final int QUEUE_ENTRIES = 256;
    /** PDTS 0: 128 directory entries (8192 PASIDs). */
    static final int PDTS = 0;
    static final int DID = 1;

    final GuestMemoryWindow ram;
    final FrameAllocator frames;
    final VirtualVtd unit;
    final long rootTable;
    final long queue;
    final long status;
    final long pageRequests;
    private int gcmd;
    private int tail;
    private int nextFault;

    GuestVtdDriver(GuestMemoryWindow ram, VirtualVtd unit) {
        if (ram.base() != 0) {
            throw new IllegalArgumentException("the test guest's RAM window starts at 0");
        }
        this.ram = ram;
        this.unit = unit;
        this.frames = new FrameAllocator(ram.memory(), 0x1_0000L, ram.size() - 0x1_0000L);
        this.rootTable = frames.allocatePage();
        this.queue = frames.allocate(2 * 4096, 4096);
        this.status = frames.allocate(8, 8);
        this.pageRequests = frames.allocatePage();
    }

    /**
     * Linux's init_dmars in scalable mode: queued invalidation (dmar_enable_qi), the root table with SRTP and
     * the global invalidations that follow it, the page request queue (intel_iommu_enable_prq), the fault
     * interrupts unmasked, then translation enabled.
     *
     * @param pageRequestQueue whether to program the page request queue
     * @return whether every step was acknowledged (QIES, RTPS, TES, the waits' status words)
     */
    boolean probe(boolean pageRequestQueue) {
        unit.write32(IQT, 0);
        unit.write64(IQA, queue | RegisterMap.IQA_DW | 1);
        command(RegisterMap.GCMD_QIE);
        boolean ok = (unit.read32(GSTS) & RegisterMap.GCMD_QIE) != 0;
        unit.write64(RTADDR, rootTable | RegisterMap.RTADDR_SMT);
        unit.write32(GCMD, gcmd | RegisterMap.GCMD_SRTP);
        ok &= (unit.read32(GSTS) & RegisterMap.GCMD_SRTP) != 0;
        ok &= submit(contextCacheGlobal(), pasidCacheGlobal(), iotlbGlobal());
        if (pageRequestQueue) {
            unit.write64(PQH, 0);
            unit.write64(PQT, 0);
            unit.write64(PQA, pageRequests);
        }
        unit.write32(RegisterMap.FECTL, 0);
        unit.write32(RegisterMap.PECTL, 0);
        command(RegisterMap.GCMD_TE);
        return ok && (unit.read32(GSTS) & RegisterMap.GCMD_TE) != 0;
    }

    private void command(int bit) {
        gcmd |= bit;
        unit.write32(GCMD, gcmd);
    }

    /**
     * Gives {@code rid} a scalable-mode context (PASIDs on, page requests as asked) and {@code pasid} a
     * first-level-only PASID entry ({@code intel_pasid_setup_first_level}), then invalidates as caching mode
     * requires: the device's context cache, the PASID's cache entry and its IOTLB, then a wait.
     *
     * @param pasid a PASID, or {@link Pasid#NONE} for the RID_PASID entry (PASID 0)
     */
    boolean attach(int rid, int pasid, long firstLevelTable, boolean pageRequestsEnabled, boolean supervisor) {
        long context = contextEntry(rid);
        long qw0 = ram.read64(context);
        if ((qw0 & 1) == 0) {
            qw0 = new ContextEntry(true, false, true, true, pageRequestsEnabled, PDTS,
                    frames.allocate(8L << (PDTS + 7), 4096), 0, false).qw0();
            ram.write64(context + 8, 0);
            ram.write64(context, qw0);
        }
        int index = pasid == Pasid.NONE ? 0 : pasid;
        long directoryEntry = (qw0 & ~0xfffL) + PasidDirectoryEntry.offset(index);
        long dir = ram.read64(directoryEntry);
        if ((dir & 1) == 0) {
            dir = new PasidDirectoryEntry(true, false, frames.allocatePage()).value();
            ram.write64(directoryEntry, dir);
        }
        long entry = (dir & ~0xfffL) + PasidEntry.offset(index);
        PasidEntry e = PasidEntry.firstLevel(firstLevelTable, DID, supervisor);
        e = e.withWord(0, e.word(0) | (long) PasidEntry.SECOND_LEVEL_4_LEVEL << 2); // pasid_set_address_width
        writePasidEntry(entry, e);
        return submit(contextCacheDevice(rid), pasidCacheSelective(index), piotlb(index));
    }

    /** Writes a PASID entry's 8 qwords (val[0], with P, last) without invalidating. */
    void writePasidEntry(long at, PasidEntry e) {
        for (int i = 7; i >= 0; i--) {
            ram.write64(at + 8L * i, e.word(i));
        }
    }

    /** The address of the PASID entry of {@code rid} at index {@code index} (an attached device). */
    long pasidEntryAddress(int rid, int index) {
        long qw0 = ram.read64(contextEntry(rid));
        long dir = ram.read64((qw0 & ~0xfffL) + PasidDirectoryEntry.offset(index));
        return (dir & ~0xfffL) + PasidEntry.offset(index);
    }

    /** The context entry address of {@code rid}, creating its context table (root entry) if needed. */
    long contextEntry(int rid) {
        long rootEntry = rootTable + RootEntry.offset(rid >>> 8) + ((rid & 0x80) != 0 ? 8 : 0);
        long root = ram.read64(rootEntry);
        if ((root & 1) == 0) {
            root = frames.allocatePage() | 1;
            ram.write64(rootEntry, root);
        }
        return (root & ~0xfffL) + ContextEntry.offset(rid & 0xff);
    }

    // ---- the invalidation queue (qi_submit_sync) ------------------------------------------------------------

    /**
     * Queues the descriptors and a status-writing wait, writes IQT (writel, as Linux), and checks the status.
     *
     * @return whether the wait completed (its status word reads QI_DONE)
     */
    boolean submit(long[]... descriptors) {
        ram.write64(status, 0);
        List<long[]> all = new ArrayList<>(List.of(descriptors));
        InvalidationWait wait = InvalidationWait.statusWrite(status, false);
        all.add(new long[] {wait.qw0(), wait.qw1()});
        submitRaw(all);
        return ram.read64(status) == InvalidationWait.QI_DONE;
    }

    /** Queues descriptors as written (hostile or not) and writes IQT. */
    void submitRaw(List<long[]> descriptors) {
        for (long[] d : descriptors) {
            long at = queue + 32L * tail;
            for (int i = 0; i < 4; i++) {
                ram.write64(at + 8L * i, i < d.length ? d[i] : 0);
            }
            tail = (tail + 1) % QUEUE_ENTRIES;
        }
        unit.write32(IQT, tail << 5);
    }

    /** After IQE: Linux's qi_check_fault replaces the bad descriptor with the wait, then clears IQE. */
    void skipBadDescriptor() {
        long head = unit.read64(IQH);
        InvalidationWait wait = InvalidationWait.statusWrite(status, false);
        ram.write64(queue + head, wait.qw0());
        ram.write64(queue + head + 8, wait.qw1());
        ram.write64(queue + head + 16, 0);
        ram.write64(queue + head + 24, 0);
        unit.write32(FSTS, RegisterMap.FSTS_IQE);
    }

    static long[] contextCacheGlobal() {
        return new long[] {0x1 | 1L << 4};                          // QI_CC_TYPE, QI_CC_GRAN(1) global
    }

    static long[] contextCacheDevice(int rid) {
        return new long[] {0x1 | 3L << 4 | (long) DID << 16 | (long) rid << 32};
    }

    static long[] pasidCacheGlobal() {
        return new long[] {0x7 | 3L << 4};                          // QI_PC_TYPE, QI_PC_GLOBAL
    }

    static long[] pasidCacheSelective(int pasid) {
        return new long[] {0x7 | 1L << 4 | (long) DID << 16 | (long) pasid << 32}; // QI_PC_PASID_SEL
    }

    static long[] iotlbGlobal() {
        return new long[] {0x2 | 1L << 4};                          // QI_IOTLB_TYPE, QI_IOTLB_GRAN(1) global
    }

    static long[] piotlb(int pasid) {
        return new long[] {0x6 | 2L << 4 | (long) DID << 16 | (long) pasid << 32}; // QI_GRAN_NONG_PASID
    }

    // ---- faults (dmar_fault) --------------------------------------------------------------------------------

    /** Linux's dmar_fault: from FRI, every record with F set, each cleared by writing F; then PFO cleared. */
    List<FaultRecord> readFaults() {
        List<FaultRecord> out = new ArrayList<>();
        FaultStatus fsts = new FaultStatus(unit.read32(FSTS));
        Capability cap = new Capability(unit.read64(RegisterMap.CAP));
        if (fsts.primaryPendingFault()) {
            int index = fsts.faultRecordIndex();
            while (true) {
                int at = cap.faultRecordOffset(index);
                int dword12 = unit.read32(at + 12);
                if ((dword12 & RegisterMap.FRCD_F) == 0) {
                    break;
                }
                long high = (unit.read32(at + 8) & 0xffff_ffffL) | (long) dword12 << 32;
                out.add(FaultRecord.decode(unit.read64(at), high));
                unit.write32(at + 12, RegisterMap.FRCD_F);
                index = (index + 1) % cap.faultRecordingCount();
            }
        }
        unit.write32(FSTS, RegisterMap.FSTS_PFO | RegisterMap.FSTS_PPF | RegisterMap.FSTS_PRO);
        return out;
    }

    // ---- page requests (prq_event_thread, intel_page_response) ----------------------------------------------

    /** Linux's prq_event_thread: clears PPR, reads from PQH to PQT, writes PQH, clears PRO once empty. */
    List<PageRequestDescriptor> readPageRequests() {
        unit.write32(PRS, RegisterMap.PRS_PPR);
        long head = unit.read64(PQH);
        long tail = unit.read64(PQT);
        List<PageRequestDescriptor> out = new ArrayList<>();
        while (head != tail) {
            long at = pageRequests + head;
            out.add(PageRequestDescriptor.decode(ram.read64(at), ram.read64(at + 8), ram.read64(at + 16),
                    ram.read64(at + 24)));
            head = (head + PageRequestDescriptor.SIZE) % 4096;
        }
        unit.write64(PQH, tail);
        if ((unit.read32(PRS) & RegisterMap.PRS_PRO) != 0 && unit.read64(PQH) == unit.read64(PQT)) {
            unit.write32(PRS, RegisterMap.PRS_PRO);
        }
        return out;
    }

    /** Linux's intel_page_response: a page group response for the request's group, then a wait. */
    boolean respond(PageRequestDescriptor request, int code) {
        return submit(response(request.requesterId(), request.pasidPresent(), request.pasid(),
                request.groupIndex(), code));
    }

    static long[] response(int rid, boolean pasidPresent, int pasid, int groupIndex, int code) {
        PageGroupResponse r = new PageGroupResponse(rid, pasidPresent, pasid, code, true, groupIndex, 0, 0);
        return new long[] {r.qw0(), r.qw1()};
    }
}
