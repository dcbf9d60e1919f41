package dev.faultline.examples.sva;

import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.FaultGroup;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.platform.memory.FrameAllocator;
import dev.faultline.api.fault.Fault;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Demand paging for a process address space shared with a device (SVA): the device's page requests for
 * addresses inside the process's mapped area ({@code [areaStart, areaStart + areaSize)}) get a fresh zeroed
 * frame mapped with the permissions asked for, and the group is answered {@code SUCCESS}, so the device retries
 * and the access completes. A request outside the area, or for execution, is answered {@code INVALID}: a
 * segmentation fault, not a paging event.
 *
 * <p>Register it for the process's SVA domain (for example with {@code faultline.domain=<domain>}); it runs
 * inline on the IOMMU's fault thread (mapping a page does not block). A page already mapped (a write to a page
 * first mapped for reading) keeps its frame and gets the new permissions. When the frames run out the group
 * is answered {@code FAILURE}.
 *
 * <p>Thread-safe: groups of different devices may arrive concurrently; the frame allocator and tables
 * synchronize.
 */
public final class DemandPager implements FaultHandler {
    private final FrameAllocator frames;
    private final ProcessPageTable table;
    private final long areaStart;
    private final long areaEnd;
    private final AtomicLong pagesMapped = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();

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
            if (!mappable(group.address(i), group.permissions(i))) {
                refused.incrementAndGet();
                group.respond(ResponseCode.INVALID);
                return;
            }
        }
        try {
            for (int i = 0; i < group.size(); i++) {
                map(group.address(i), group.permissions(i));
            }
        } catch (IllegalStateException outOfFrames) {
            refused.incrementAndGet();
            group.respond(ResponseCode.FAILURE);
            return;
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
            if (!fault.recoverable() || !mappable(fault.address(), fault.permissions())) {
                refused.incrementAndGet();
                return ResponseCode.INVALID;
            }
        }
        try {
            for (Fault fault : faults) {
                map(fault.address(), fault.permissions());
            }
        } catch (IllegalStateException outOfFrames) {
            refused.incrementAndGet();
            return ResponseCode.FAILURE;
        }
        return ResponseCode.SUCCESS;
    }

    private void map(long address, Permissions permissions) {
        long page = address & -ProcessPageTable.PAGE_SIZE;
        OptionalLong mapped = table.frame(page);
        table.map(page, mapped.isPresent() ? mapped.getAsLong() & -ProcessPageTable.PAGE_SIZE : frames.allocatePage(),
                permissions);
        pagesMapped.incrementAndGet();
    }

    private boolean mappable(long address, Permissions permissions) {
        return address >= areaStart && address < areaEnd && !permissions.exec() && !permissions.priv();
    }

    /** Pages mapped on demand so far. */
    public long pagesMapped() {
        return pagesMapped.get();
    }

    /** Groups refused (outside the area, execute, privileged, out of frames) and unrecoverable faults seen. */
    public long refused() {
        return refused.get();
    }
}
