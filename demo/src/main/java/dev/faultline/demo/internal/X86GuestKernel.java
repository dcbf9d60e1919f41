package dev.faultline.demo.internal;

import dev.faultline.platform.vtd.ContextEntry;
import dev.faultline.platform.vtd.InvalidationWait;
import dev.faultline.platform.vtd.PageGroupResponse;
import dev.faultline.platform.vtd.PageRequestDescriptor;
import dev.faultline.platform.vtd.PasidDirectoryEntry;
import dev.faultline.platform.vtd.PasidEntry;
import dev.faultline.platform.vtd.RegisterMap;
import dev.faultline.platform.vtd.RootEntry;
import dev.faultline.viommu.VirtualVtd;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo's x86 guest kernel, as far as its VT-d driver goes (what Linux's intel-iommu does in scalable mode at
 * boot, at attach, and on a page request): an invalidation queue, a root table, a context table, a PASID
 * directory and table, and a page request queue, all in the guest's RAM, reached only through the virtual VT-d
 * unit's registers; every change is followed by the invalidations caching mode asks for and a status-writing
 * wait, and page requests are answered with page group responses on the invalidation queue.
 */
final class X86GuestKernel {
    /** 256 descriptors of 32 bytes (Linux: QI_LENGTH, DW = 1, QS = 1). */
    private static final int QUEUE_ENTRIES = 256;
    private static final int DID = 1;
    /** PDTS 0: 128 directory entries. */
    private static final int PDTS = 0;

    private final GuestRam ram;
    private final VirtualVtd unit;
    private final long rootTable;
    private final long queue;
    private final long status;
    private final long pageRequests;
    private int gcmd;
    private int tail;

    X86GuestKernel(GuestRam ram, VirtualVtd unit) {
        this.ram = ram;
        this.unit = unit;
        this.rootTable = ram.frames().allocatePage();
        this.queue = ram.frames().allocate(2 * 4096, 4096);
        this.status = ram.frames().allocate(8, 8);
        this.pageRequests = ram.frames().allocatePage();
    }

    /**
     * Boot (init_dmars): queued invalidation, the root table with SRTP and the global invalidations, the page
     * request queue, the fault and page request interrupts unmasked, translation enabled; false if the unit did
     * not acknowledge a step.
     */
    boolean probe() {
        unit.write32(RegisterMap.IQT, 0);
        unit.write64(RegisterMap.IQA, queue | RegisterMap.IQA_DW | 1);
        command(RegisterMap.GCMD_QIE);
        unit.write64(RegisterMap.RTADDR, rootTable | RegisterMap.RTADDR_SMT);
        unit.write32(RegisterMap.GCMD, gcmd | RegisterMap.GCMD_SRTP);
        boolean ok = (unit.read32(RegisterMap.GSTS) & RegisterMap.GCMD_SRTP) != 0;
        ok &= submit(new long[] {0x1 | 1L << 4}, new long[] {0x7 | 3L << 4}, new long[] {0x2 | 1L << 4});
        unit.write64(RegisterMap.PQH, 0);
        unit.write64(RegisterMap.PQT, 0);
        unit.write64(RegisterMap.PQA, pageRequests);
        unit.write32(RegisterMap.FECTL, 0);
        unit.write32(RegisterMap.PECTL, 0);
        command(RegisterMap.GCMD_TE);
        return ok && unit.read32(RegisterMap.GSTS) == (RegisterMap.GCMD_TE | RegisterMap.GCMD_SRTP
                | RegisterMap.GCMD_QIE);
    }

    private void command(int bit) {
        gcmd |= bit;
        unit.write32(RegisterMap.GCMD, gcmd);
    }

    /**
     * Attach (an SVA bind): the device's scalable-mode context with PASIDs and page requests enabled, and a
     * first-level-only PASID entry for its process's table (intel_pasid_setup_first_level), then the device's
     * context cache, the PASID's cache and its IOTLB invalidated; false if the unit did not complete the wait.
     */
    boolean attach(int rid, int pasid, long firstLevelTable) {
        long rootEntry = rootTable + RootEntry.offset(rid >>> 8) + ((rid & 0x80) != 0 ? 8 : 0);
        long contextTable = ram.frames().allocatePage();
        ram.write64(rootEntry, contextTable | 1);
        long directory = ram.frames().allocatePage();
        long pasidTable = ram.frames().allocatePage();
        ram.write64(directory + PasidDirectoryEntry.offset(pasid),
                new PasidDirectoryEntry(true, false, pasidTable).value());
        PasidEntry entry = PasidEntry.firstLevel(firstLevelTable, DID, false);
        long at = pasidTable + PasidEntry.offset(pasid);
        for (int i = 7; i >= 0; i--) {
            ram.write64(at + 8L * i, entry.word(i));
        }
        ram.write64(contextTable + ContextEntry.offset(rid & 0xff),
                new ContextEntry(true, false, true, true, true, PDTS, directory, 0, false).qw0());
        return submit(new long[] {0x1 | 3L << 4 | (long) DID << 16 | (long) rid << 32},
                new long[] {0x7 | 1L << 4 | (long) DID << 16 | (long) pasid << 32},
                new long[] {0x6 | 2L << 4 | (long) DID << 16 | (long) pasid << 32});
    }

    /** The page request interrupt thread (prq_event_thread): the descriptors from PQH to PQT, then PQH moved. */
    List<PageRequestDescriptor> readPageRequests() {
        unit.write32(RegisterMap.PRS, RegisterMap.PRS_PPR);
        long head = unit.read64(RegisterMap.PQH);
        long end = unit.read64(RegisterMap.PQT);
        List<PageRequestDescriptor> out = new ArrayList<>();
        while (head != end) {
            long at = pageRequests + head;
            out.add(PageRequestDescriptor.decode(ram.read64(at), ram.read64(at + 8), ram.read64(at + 16),
                    ram.read64(at + 24)));
            head = (head + PageRequestDescriptor.SIZE) % 4096;
        }
        unit.write64(RegisterMap.PQH, end);
        return out;
    }

    /** intel_page_response: a page group response for the request's group, then a wait. */
    boolean respond(PageRequestDescriptor request, int code) {
        PageGroupResponse r = new PageGroupResponse(request.requesterId(), request.pasidPresent(), request.pasid(),
                code, true, request.groupIndex(), 0, 0);
        return submit(new long[] {r.qw0(), r.qw1()});
    }

    /** qi_submit_sync: the descriptors and a status-writing wait, IQT written, the status checked. */
    private boolean submit(long[]... descriptors) {
        ram.write64(status, 0);
        InvalidationWait wait = InvalidationWait.statusWrite(status, false);
        List<long[]> all = new ArrayList<>(List.of(descriptors));
        all.add(new long[] {wait.qw0(), wait.qw1()});
        for (long[] d : all) {
            long at = queue + 32L * tail;
            for (int i = 0; i < 4; i++) {
                ram.write64(at + 8L * i, i < d.length ? d[i] : 0);
            }
            tail = (tail + 1) % QUEUE_ENTRIES;
        }
        unit.write32(RegisterMap.IQT, tail << 5);
        return ram.read64(status) == InvalidationWait.QI_DONE;
    }
}
