package dev.faultline.vtd.internal;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.FaultQueue;
import dev.faultline.api.backend.IommuPort;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permission;
import dev.faultline.api.fault.Permissions;
import dev.faultline.core.queue.QueuePass;
import dev.faultline.platform.memory.FrameAllocator;
import dev.faultline.platform.memory.PhysicalMemory;
import dev.faultline.platform.vtd.PageGroupResponse;
import dev.faultline.platform.vtd.PageRequestDescriptor;
import dev.faultline.platform.vtd.RegisterMap;
import dev.faultline.platform.vtd.RemappingUnit;

/**
 * Drains the page request queue into the core, as Linux's {@code prq_event_thread} (intel/prq.c;
 * VT-d page request descriptor) does:
 * <ol>
 *   <li>clear PRS.PPR first, so a request arriving meanwhile raises a new event;</li>
 *   <li>for each descriptor from PQH to PQT: reject a non-canonical address, a privileged read or write, and
 *       an execute request that also reads (printing the kernel's lines and answering the group Invalid if it
 *       is the last request); drop a Stop Marker; reject an unknown requester; report the rest with
 *       {@link DevicePort#reportPageRequest} (last page, PASID with response-needs-PASID, read / write /
 *       execute / privilege, private data when PDP is set);</li>
 *   <li>write PQH past each descriptor as soon as it is handled (Linux writes the tail once, at the end), so a
 *       failure in one (logged) never has those before it handled again, and those after it are handled in the
 *       same pass; a descriptor with reserved bits set is refused,
 *       counted, and answered Invalid only if it ends a group;</li>
 *   <li>answer the batch drained (PQH to the PQT read) with one invalidation wait after its page group responses
 *       ({@link Responder#closeBatch()});</li>
 *   <li>on PRS.PRO: print "PRQ overflow detected"; only if the queue is now empty, discard the core's partial
 *       requests (their last request may have been lost), clear PRO and print "PRQ overflow cleared".</li>
 * </ol>
 * Decodes in place: nothing is allocated per request.
 *
 * <p>Called from the unit's interrupt thread, and from a teardown that drains the queue of one PASID
 * (passes hold the unit's {@link QueuePass}; a teardown waits for a running pass only so long). A successor that
 * takes the pass over from a report a handler blocks steps past that descriptor ({@link #stepPastInFlight()}).
 */
final class PageRequestReader {
    /** {@link #holds} of every PASID of a requester. */
    static final int ANY_PASID = -2;
    /** Linux {@code struct page_req_dsc} qw0 bits 15:10 and 63:54 (reserved, {@code rsvd2}; bit 9 is PDP). */
    static final long QW0_RESERVED = 0x3fL << 10 | 0x3ffL << 54;
    private final RemappingUnit unit;
    private final PhysicalMemory memory;
    private final DeviceTable devices;
    private final DmarLog log;
    private final Responder responder;
    private final long base;
    private final long size;
    volatile long reported;
    volatile long badRequests;
    volatile long stopMarkers;
    volatile long overflows;
    volatile long foreignDescriptors;
    volatile long reservedDescriptors;
    /** Held during a pass over the queue: by the interrupt thread, or by a teardown. */
    private final QueuePass pass;
    /** PQH past the descriptor being reported, or -1 (written by the pass's holder). */
    private long inFlightNext = -1;

    /**
     * Sends a page group response the core knows nothing of (for requests the driver rejects itself), and brackets
     * the handling of a drained batch, whose responses given on this thread share one invalidation wait.
     */
    interface Responder {
        void respond(int rid, boolean pasidPresent, int pasid, int code, int groupIndex, long data0, long data1);

        /** Opens the calling thread's response batch. */
        void openBatch();

        /** Closes it: one invalidation wait for the responses written meanwhile, if any. */
        void closeBatch();
    }

    /**
     * Programs a queue of 2^{@code order} pages, or adopts the queue of a running unit (keeping PQH and PQT, so
     * requests queued before the takeover are drained).
     */
    PageRequestReader(RemappingUnit unit, FrameAllocator allocator, DeviceTable devices, DmarLog log,
            Responder responder, int order, QueuePass pass) {
        this.unit = unit;
        this.pass = pass;
        this.memory = allocator.memory();
        this.devices = devices;
        this.log = log;
        this.responder = responder;
        long pqa = unit.read64(RegisterMap.PQA);
        if (pqa != 0) {
            base = pqa & RegisterMap.QUEUE_BASE_MASK;
            size = 4096L << (pqa & RegisterMap.QUEUE_SIZE_MASK);
        } else {
            size = 4096L << order;
            base = allocator.allocate(size, 4096);
            unit.write64(RegisterMap.PQH, 0);
            unit.write64(RegisterMap.PQT, 0);
            unit.write64(RegisterMap.PQA, base | order);
        }
    }

    /** The ring size in bytes. */
    long size() {
        return size;
    }

    /**
     * One pass over the queue, by the holder of the unit's {@link QueuePass}.
     *
     * @return {@link FaultRecordReader#AGAIN} if another pass is needed at once (an overflow could not be cleared
     *     because requests remain), {@link FaultRecordReader#DONE}, or {@link FaultRecordReader#ABANDONED} if a
     *     handler held a report so long that the pass went to a fresh thread (leave the queue alone)
     */
    int drain(IommuPort port) {
        return pass(port);
    }

    /**
     * A teardown's pass: like {@link #drain}, but waits at most {@code timeoutNanos} for a pass the interrupt
     * thread is in (a handler call may hold it up until the core has the thread replaced), and again after a
     * successor's if a handler holds one of its own reports that long.
     *
     * @return whether the pass ran, or why not: this thread is inside the running pass (which goes on by itself),
     *     the wait timed out or was interrupted
     */
    QueuePass.Drain drainWithin(IommuPort port, long timeoutNanos) {
        return pass.passWithin(timeoutNanos, () -> pass(port) != FaultRecordReader.ABANDONED);
    }

    /** By a successor that took the pass over from a blocked report: PQH past that descriptor. */
    void stepPastInFlight() {
        if (inFlightNext >= 0) {
            unit.write64(RegisterMap.PQH, inFlightNext);
            inFlightNext = -1;
        }
    }

    private int pass(IommuPort port) {
        unit.write32(RegisterMap.PRS, RegisterMap.PRS_PPR);
        long head = unit.read64(RegisterMap.PQH) % size;
        long tail = unit.read64(RegisterMap.PQT) % size;
        responder.openBatch();
        while (head != tail) {
            long at = base + head;
            head = (head + PageRequestDescriptor.SIZE) % size;
            inFlightNext = head;
            pass.reportStarts();
            RuntimeException failure = null;
            try {
                handle(at);
            } catch (RuntimeException e) {
                failure = e;
            }
            if (!pass.reportEnded()) {
                // the queue is no longer this thread's, nor the invalidation queue (its driver may be gone): the
                // responses it wrote are with the unit; the successor's next batch ends with their wait
                return FaultRecordReader.ABANDONED;
            }
            inFlightNext = -1;
            unit.write64(RegisterMap.PQH, head);
            if (failure != null) {
                // the descriptors behind it are handled in this pass still; none before it is handled again
                log.problem("DMAR: " + unit.name() + ": page request at 0x" + Long.toHexString(at)
                        + " not handled: " + failure);
            }
        }
        responder.closeBatch();
        if ((unit.read32(RegisterMap.PRS) & RegisterMap.PRS_PRO) == 0) {
            return FaultRecordReader.DONE;
        }
        overflows++;
        log.overflowDetected(unit.name());
        if (unit.read64(RegisterMap.PQH) % size != unit.read64(RegisterMap.PQT) % size) {
            return FaultRecordReader.AGAIN;
        }
        port.reportOverflow(FaultQueue.PAGE_REQUESTS); // once per episode: when PRO is cleared
        port.discardPartials();
        unit.write32(RegisterMap.PRS, RegisterMap.PRS_PRO);
        log.overflowCleared(unit.name());
        return FaultRecordReader.DONE;
    }

    /** Whether the queue (PQH to PQT) holds a request of {@code rid} with {@code pasid} (or {@link #ANY_PASID}). */
    boolean holds(int rid, int pasid) {
        long head = unit.read64(RegisterMap.PQH) % size;
        long tail = unit.read64(RegisterMap.PQT) % size;
        for (long at = head; at != tail; at = (at + PageRequestDescriptor.SIZE) % size) {
            long qw0 = memory.read64(base + at);
            boolean pasidPresent = (qw0 >>> 8 & 1) != 0;
            if (((int) (qw0 >>> 16) & 0xffff) == rid && (pasid == ANY_PASID
                    || (pasidPresent ? (int) (qw0 >>> 32) & 0xfffff : Pasid.NONE) == pasid)) {
                return true;
            }
        }
        return false;
    }

    private void handle(long at) {
        long qw0 = memory.read64(at);
        long qw1 = memory.read64(at + 8);
        if (PageRequestDescriptor.type(qw0) != PageRequestDescriptor.TYPE) {
            foreignDescriptors++;
            return;
        }
        // struct page_req_dsc (VT-d page request descriptor)
        boolean pasidPresent = (qw0 >>> 8 & 1) != 0;
        boolean privateData = (qw0 >>> 9 & 1) != 0;
        int rid = (int) (qw0 >>> 16) & 0xffff;
        int pasid = (int) (qw0 >>> 32) & 0xfffff;
        boolean execute = (qw0 >>> 52 & 1) != 0;
        boolean privileged = (qw0 >>> 53 & 1) != 0;
        boolean read = (qw1 & 1) != 0;
        boolean write = (qw1 >>> 1 & 1) != 0;
        boolean last = (qw1 >>> 2 & 1) != 0;
        int groupIndex = (int) (qw1 >>> 3) & 0x1ff;
        long address = qw1 & ~0xfffL;
        String reason = null;
        if ((qw0 & QW0_RESERVED) != 0) {
            reservedDescriptors++;
            reject("Reserved bits set", qw0, qw1, rid, pasidPresent, pasid, last, groupIndex);
            return;
        }
        long signExtension = address >> 47; // 4-level paging: __VIRTUAL_MASK_SHIFT = 47
        if (signExtension != 0 && signExtension != -1) {
            reason = "Address is not canonical";
        } else if (privileged && (read || write)) {
            reason = "Page request in Privilege Mode";
        } else if (execute && read) {
            reason = "Execution request not supported";
        }
        if (reason != null) {
            reject(reason, qw0, qw1, rid, pasidPresent, pasid, last, groupIndex);
            return;
        }
        if (last && !read && !write) {
            stopMarkers++; // Stop Marker: dropped, never answered
            return;
        }
        DevicePort device = devices.port(rid);
        if (device == null) {
            reject(null, qw0, qw1, rid, pasidPresent, pasid, last, groupIndex);
            return;
        }
        int flags = (last ? PageRequest.FLAG_LAST_PAGE : 0)
                | (pasidPresent ? PageRequest.FLAG_RESPONSE_NEEDS_PASID : 0);
        int permissions = (read ? Permission.READ.bit() : 0) | (write ? Permission.WRITE.bit() : 0)
                | (execute ? Permission.EXEC.bit() : 0) | (privileged ? Permission.PRIV.bit() : 0);
        reported++;
        device.reportPageRequest(pasidPresent ? pasid : Pasid.NONE, groupIndex, flags, Permissions.of(permissions),
                address, privateData ? memory.read64(at + 16) : 0, privateData ? memory.read64(at + 24) : 0);
    }

    /** {@code handle_bad_prq_event}: print, and answer Invalid only a last-in-group request. */
    private void reject(String reason, long qw0, long qw1, int rid, boolean pasidPresent, int pasid, boolean last,
            int groupIndex) {
        badRequests++;
        log.badPageRequest(unit.name(), reason, qw0, qw1);
        if (last) {
            responder.respond(rid, pasidPresent, pasid, PageGroupResponse.INVALID, groupIndex, 0, 0);
        }
    }
}
