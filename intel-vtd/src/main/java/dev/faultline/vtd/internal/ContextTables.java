package dev.faultline.vtd.internal;

import dev.faultline.platform.memory.FrameAllocator;
import dev.faultline.platform.memory.PhysicalMemory;
import dev.faultline.platform.vtd.ContextEntry;
import dev.faultline.platform.vtd.PasidDirectoryEntry;
import dev.faultline.platform.vtd.PasidEntry;
import dev.faultline.platform.vtd.RootEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * The driver's scalable-mode tables in memory (VT-d scalable-mode entries): root table, context tables, PASID
 * directories and PASID tables, read back from memory whenever they are changed, so a driver that takes over
 * a running unit adopts the tables its predecessor left.
 *
 * <p>Entries are written so the hardware never sees half an entry: the upper qwords first and the qword with
 * the present bit last when setting, the present bit first when clearing. Context entries enable PASIDs, page
 * requests and device TLBs, with a directory for every PASID the unit supports, and use PASID 0 as RID_PASID
 * ({@code IOMMU_NO_PASID}), as Linux does.
 *
 * <p>Thread-safe (one lock per instance).
 */
final class ContextTables {
    private final PhysicalMemory memory;
    private final FrameAllocator allocator;
    private final long root;
    private final int pdts;
    private final boolean pageRequests;
    private final boolean deviceTlb;

    /**
     * Tables rooted at {@code root} (a fresh zeroed page or the root of a running unit).
     *
     * @param pasidBits the unit's PASID width (ECAP.PSS + 1): the directory covers all of them
     */
    ContextTables(FrameAllocator allocator, long root, int pasidBits, boolean pageRequests, boolean deviceTlb) {
        this.memory = allocator.memory();
        this.allocator = allocator;
        this.root = root;
        // 2^(PDTS + 7) directory entries of 64 PASIDs each cover 2^pasidBits PASIDs.
        this.pdts = Math.max(0, Math.min(7, pasidBits - 13));
        this.pageRequests = pageRequests;
        this.deviceTlb = deviceTlb;
    }

    /** The root table's physical address. */
    long root() {
        return root;
    }

    /** Writes the PASID entry of {@code (rid, pasidIndex)}, creating the tables on the way. */
    synchronized void setPasidEntry(int rid, int pasidIndex, PasidEntry entry) {
        long context = contextEntry(rid, true);
        long qw0 = memory.read64(context);
        if ((qw0 & 1) == 0) {
            long directory = allocator.allocate((1L << (pdts + 7)) * PasidDirectoryEntry.SIZE, 4096);
            ContextEntry created = new ContextEntry(true, false, deviceTlb, true, pageRequests, pdts, directory, 0,
                    false);
            memory.write64(context + 24, 0);
            memory.write64(context + 16, 0);
            memory.write64(context + 8, created.qw1());
            memory.write64(context, created.qw0());
            qw0 = created.qw0();
        }
        long directoryEntry = (qw0 & ~0xfffL) + PasidDirectoryEntry.offset(pasidIndex);
        long dir = memory.read64(directoryEntry);
        if ((dir & 1) == 0) {
            dir = new PasidDirectoryEntry(true, false, allocator.allocatePage()).value();
            memory.write64(directoryEntry, dir);
        }
        long address = (dir & ~0xfffL) + PasidEntry.offset(pasidIndex);
        memory.write64(address, 0);
        for (int i = 7; i >= 0; i--) {
            memory.write64(address + 8L * i, entry.word(i));
        }
    }

    /** Clears the PASID entry of {@code (rid, pasidIndex)}; returns whether it was present. */
    synchronized boolean clearPasidEntry(int rid, int pasidIndex) {
        long address = pasidEntryAddress(rid, pasidIndex);
        if (address < 0 || (memory.read64(address) & 1) == 0) {
            return false;
        }
        memory.write64(address, 0);
        for (int i = 1; i < 8; i++) {
            memory.write64(address + 8L * i, 0);
        }
        return true;
    }

    /** Clears the context entry of {@code rid}; returns whether it was present. */
    synchronized boolean clearContext(int rid) {
        long context = contextEntry(rid, false);
        if (context < 0 || (memory.read64(context) & 1) == 0) {
            return false;
        }
        memory.write64(context, 0);
        return true;
    }

    /** The PASID entry currently at {@code (rid, pasidIndex)}, or {@code null} if its tables do not exist. */
    synchronized PasidEntry pasidEntry(int rid, int pasidIndex) {
        long address = pasidEntryAddress(rid, pasidIndex);
        if (address < 0) {
            return null;
        }
        long[] words = new long[8];
        for (int i = 0; i < 8; i++) {
            words[i] = memory.read64(address + 8L * i);
        }
        return PasidEntry.of(words);
    }

    /** The requester ids with a present context entry, in ascending order. */
    synchronized List<Integer> presentDevices() {
        List<Integer> rids = new ArrayList<>();
        for (int bus = 0; bus < 256; bus++) {
            long low = memory.read64(root + RootEntry.offset(bus));
            long high = memory.read64(root + RootEntry.offset(bus) + 8);
            collect(rids, bus, 0x00, low);
            collect(rids, bus, 0x80, high);
        }
        return rids;
    }

    private void collect(List<Integer> rids, int bus, int firstDevfn, long half) {
        if ((half & 1) == 0) {
            return;
        }
        for (int i = 0; i < 128; i++) {
            if ((memory.read64((half & ~0xfffL) + (long) i * ContextEntry.SIZE) & 1) != 0) {
                rids.add(bus << 8 | (firstDevfn + i));
            }
        }
    }

    private long pasidEntryAddress(int rid, int pasidIndex) {
        long context = contextEntry(rid, false);
        if (context < 0) {
            return -1;
        }
        long qw0 = memory.read64(context);
        if ((qw0 & 1) == 0) {
            return -1;
        }
        long dir = memory.read64((qw0 & ~0xfffL) + PasidDirectoryEntry.offset(pasidIndex));
        return (dir & 1) == 0 ? -1 : (dir & ~0xfffL) + PasidEntry.offset(pasidIndex);
    }

    /** The context entry address of {@code rid}; with {@code create}, makes its context table. -1 if absent. */
    private long contextEntry(int rid, boolean create) {
        long rootEntry = root + RootEntry.offset(rid >>> 8) + ((rid & 0x80) != 0 ? 8 : 0);
        long half = memory.read64(rootEntry);
        if ((half & 1) == 0) {
            if (!create) {
                return -1;
            }
            half = allocator.allocatePage() | 1;
            memory.write64(rootEntry, half);
        }
        return (half & ~0xfffL) + ContextEntry.offset(rid & 0xff);
    }
}
