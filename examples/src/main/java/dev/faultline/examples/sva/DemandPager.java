package dev.faultline.examples.sva;

import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.FaultGroup;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.platform.memory.FrameAllocator;
import dev.faultline.api.fault.Fault;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Demand paging for a process address space shared with a device (SVA), answering as Linux's SVA fault handler
 * ({@code iommu_sva_handle_iopf} and {@code iommu_sva_handle_mm}, which calls {@code handle_mm_fault}) does:
 *
 * <ul>
 *   <li>A group without a PASID is answered {@code INVALID}: SVA binds a process to a PASID, so a request
 *       without one has no address space to page.</li>
 *   <li>A request outside the process's mapped area ({@code [areaStart, areaStart + areaSize)}, its one
 *       readable and writable, non-executable VMA), for execution, or privileged, is answered {@code INVALID}: a
 *       segmentation fault, not a paging event.</li>
 *   <li>A page not yet mapped gets a fresh zeroed frame, mapped writable if a write asked for it, else
 *       read-only; a page already mapped keeps its frame: a write to a page mapped read-only makes it writable
 *       (Linux's write fault on a present page), and a request the mapping already allows changes nothing
 *       (a spurious fault). Either way the group is answered {@code SUCCESS}, the device retries and the access
 *       completes.</li>
 *   <li>When the frames run out the group is answered {@code INVALID}, as Linux answers {@code VM_FAULT_OOM}
 *       (part of {@code VM_FAULT_ERROR}). The pager never answers {@code FAILURE}, which on PCIe stops all of
 *       the device's page requests.</li>
 * </ul>
 *
 * <p>Register it for the process's SVA domain (for example with {@code faultline.domain=<domain>}); it runs
 * inline on the IOMMU's fault thread (mapping a page does not block).
 *
 * <p>Thread-safe: groups of different devices may arrive concurrently; the frame allocator and tables
 * synchronize, and the pager serializes its own decisions on a page (mapped or not, writable or not).
 */
public final class DemandPager implements FaultHandler {
    private final FrameAllocator frames;
    private final ProcessPageTable table;
    private final long areaStart;
    private final long areaEnd;
    private final AtomicLong pagesMapped = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong upgraded = new AtomicLong();
    /** The pages mapped writable (guarded by {@code this}). */
    private final Set<Long> writable = new HashSet<>();

    /**
     * @param frames where page frames come from
     * @param table the process page table the device walks
     * @param areaStart the start of the process's mapped area (page aligned)
     * @param areaSize its size in bytes
     * @throws IllegalArgumentException if the area is not page aligned or empty
     */
    public DemandPager(FrameAllocator frames, ProcessPageTable table, long areaStart, long areaSize) {
        if (areaSize <= 0 || (areaStart | areaSize) % ProcessPageTable.PAGE_SIZE != 0) {
            throw new IllegalArgumentException("the mapped area must be whole pages: 0x" + Long.toHexString(areaStart)
                    + " + 0x" + Long.toHexString(areaSize));
        }
        this.frames = frames;
        this.table = table;
        this.areaStart = areaStart;
        this.areaEnd = areaStart + areaSize;
    }

    @Override
    public void handle(FaultGroup group) {
        if (!group.recoverable()) {
            refused.incrementAndGet();
            return;
        }
        for (int i = 0; i < group.size(); i++) {
            if (!group.hasPasid() || !mappable(group.address(i), group.permissions(i))) {
                refused.incrementAndGet();
                group.respond(ResponseCode.INVALID);
                return;
            }
        }
        for (int i = 0; i < group.size(); i++) {
            if (!fault(group.address(i), group.permissions(i))) {
                refused.incrementAndGet();
                group.respond(ResponseCode.INVALID);
                return;
            }
        }
        group.respond(ResponseCode.SUCCESS);
    }

    /**
     * Pages in the faults of a deferred group, off the fault thread: the same decision as {@link #handle}, for
     * use as a {@link dev.faultline.examples.deferred.SlowPath} ({@code group -> pager.page(group.faults())}).
     *
     * @return the answer to send
     */
    public ResponseCode page(List<Fault> faults) {
        for (Fault fault : faults) {
            if (!fault.recoverable() || !fault.hasPasid() || !mappable(fault.address(), fault.permissions())) {
                refused.incrementAndGet();
                return ResponseCode.INVALID;
            }
        }
        for (Fault fault : faults) {
            if (!fault(fault.address(), fault.permissions())) {
                refused.incrementAndGet();
                return ResponseCode.INVALID;
            }
        }
        return ResponseCode.SUCCESS;
    }

    /**
     * Makes the page of {@code address} allow {@code permissions} ({@code handle_mm_fault} for an address the
     * VMA allows): maps a fresh frame, or makes a read-only page writable.
     *
     * @return false when no frame was left ({@code VM_FAULT_OOM})
     */
    private synchronized boolean fault(long address, Permissions permissions) {
        long page = address & -ProcessPageTable.PAGE_SIZE;
        OptionalLong mapped = table.frame(page);
        if (mapped.isEmpty()) {
            long frame;
            try {
                frame = frames.allocatePage();
            } catch (IllegalStateException outOfFrames) {
                return false;
            }
            table.map(page, frame, permissions.write() ? Permissions.READ_WRITE : Permissions.READ);
            pagesMapped.incrementAndGet();
            if (permissions.write()) {
                writable.add(page);
            }
        } else if (permissions.write() && writable.add(page)) {
            table.protect(page, Permissions.READ_WRITE);
            upgraded.incrementAndGet();
        }
        return true;
    }

    private boolean mappable(long address, Permissions permissions) {
        return address >= areaStart && address < areaEnd && !permissions.exec() && !permissions.priv();
    }

    /** Pages mapped on demand so far. */
    public long pagesMapped() {
        return pagesMapped.get();
    }

    /** Pages mapped read-only first and made writable by a later write request. */
    public long pagesUpgraded() {
        return upgraded.get();
    }

    /** Groups refused (no PASID, outside the area, execute, privileged, out of frames) and unrecoverable faults seen. */
    public long refused() {
        return refused.get();
    }
}
