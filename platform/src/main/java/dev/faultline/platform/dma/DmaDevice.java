package dev.faultline.platform.dma;

import dev.faultline.api.fault.Pasid;
import dev.faultline.platform.memory.PhysicalMemory;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A DMA-capable device behind an IOMMU: issues reads, writes and instruction fetches, with or without PASID,
 * waits while the IOMMU holds a faulting access stalled, and, when it has a {@link PriCapability}, turns
 * translation failures into PCIe page requests and acts on the PRG response: Success retries the access,
 * Invalid Request fails it, Response Failure (or a reserved code) fails it and stops PRI on the device
 * (PCIe PRG Response).
 *
 * <p>A translated access really reads or writes {@link PhysicalMemory}. Every wait is bounded by the caller's
 * timeout. Thread-safe; several threads may issue accesses concurrently.
 */
public final class DmaDevice implements PrgResponseReceiver {
    /** How many page request rounds one access may take before the device gives up. */
    public static final int MAX_PAGE_REQUEST_ROUNDS = 4;

    private final String name;
    private final int requesterId;
    private final TranslationPort port;
    private final PhysicalMemory memory;
    private final @Nullable PriCapability pri;
    private final Map<Integer, PendingGroup> pending = new HashMap<>();
    private int nextPrgIndex;
    private long unexpectedResponses;
    private long responsesReceived;

    private DmaDevice(String name, int requesterId, TranslationPort port, PhysicalMemory memory, @Nullable PriCapability pri) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("device name must not be blank");
        }
        this.name = name;
        this.requesterId = requesterId;
        this.port = Objects.requireNonNull(port, "port");
        this.memory = Objects.requireNonNull(memory, "memory");
        this.pri = pri;
    }

    /** A device without PRI (its faults are stalls or unrecoverable). */
    public static DmaDevice of(String name, int requesterId, TranslationPort port, PhysicalMemory memory) {
        return new DmaDevice(name, requesterId, port, memory, null);
    }

    /**
     * A PCIe function with a PRI capability, connected to {@code port} for PRG responses. Its accesses are ATS
     * translation requests while PRI is enabled.
     *
     * @throws IllegalArgumentException if {@code requesterId} does not fit 16 bits
     */
    public static DmaDevice withPri(String name, int requesterId, TranslationPort port, PhysicalMemory memory,
            PriCapability pri) {
        if ((requesterId & ~0xffff) != 0) {
            throw new IllegalArgumentException("a PCIe requester id has 16 bits: 0x" + Integer.toHexString(requesterId));
        }
        DmaDevice device = new DmaDevice(name, requesterId, port, memory, Objects.requireNonNull(pri, "pri"));
        port.connect(requesterId, device);
        return device;
    }

    /** The device's name. */
    public String name() {
        return name;
    }

    /** Its requester id (StreamID or PCI RID). */
    public int requesterId() {
        return requesterId;
    }

    /** Its PRI capability, if it has one. */
    public Optional<PriCapability> pri() {
        return Optional.ofNullable(pri);
    }

    /** Reads {@code size} bytes at {@code address} (PASID {@link Pasid#NONE} for none). */
    public DmaResult read(int pasid, long address, int size, Duration timeout) {
        return perform(new DmaAccess(requesterId, pasid, address, AccessType.READ, false, size, false), null, timeout);
    }

    /** Writes {@code data} at {@code address}. */
    public DmaResult write(int pasid, long address, byte[] data, Duration timeout) {
        return perform(new DmaAccess(requesterId, pasid, address, AccessType.WRITE, false, data.length, false), data,
                timeout);
    }

    /** Fetches {@code size} bytes of instructions at {@code address}. */
    public DmaResult fetch(int pasid, long address, int size, Duration timeout) {
        return perform(new DmaAccess(requesterId, pasid, address, AccessType.INSTRUCTION_FETCH, false, size, false),
                null, timeout);
    }

    /**
     * Performs {@code access} to the end: waits through stalls, page-requests on translation failure when PRI
     * allows, and reads or writes memory once translated.
     *
     * @param access the access; its requester id must be this device's
     * @param data the bytes to write for a write (length = size), else ignored
     * @param timeout how long the device waits, in total, before giving up
     * @throws IllegalArgumentException for another device's access or write data of the wrong length
     */
    public DmaResult perform(DmaAccess access, byte @Nullable [] data, Duration timeout) {
        if (access.requesterId() != requesterId) {
            throw new IllegalArgumentException("access of requester 0x" + Integer.toHexString(access.requesterId())
                    + " issued by device 0x" + Integer.toHexString(requesterId));
        }
        if (access.type().isWrite() && (data == null || data.length != access.size())) {
            throw new IllegalArgumentException("a write of " + access.size() + " bytes needs as many bytes of data");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        DmaAccess current = access.withTranslationRequest(pri != null && pri.canRequest());
        int pageRequests = 0;
        int stalls = 0;
        DmaTransaction tx = new DmaTransaction(current); // one tag for the access, reused by each retry
        while (true) {
            port.issue(tx);
            TranslationOutcome outcome = awaitUntil(tx, deadline);
            stalls += tx.stalls();
            switch (outcome) {
                case TRANSLATED:
                    return new DmaResult(DmaStatus.COMPLETED, current, tx.physicalAddress(),
                            access(current, tx.physicalAddress(), data), pageRequests, stalls);
                case RAZ_WI:
                    return new DmaResult(DmaStatus.RAZ_WI, current, 0,
                            current.type().isRead() ? new byte[current.size()] : null, pageRequests, stalls);
                case ABORTED:
                    return new DmaResult(DmaStatus.ABORTED, current, 0, null, pageRequests, stalls);
                case PENDING:
                case STALLED:
                    return new DmaResult(DmaStatus.TIMED_OUT, current, 0, null, pageRequests, stalls);
                case NO_TRANSLATION:
                default:
                    break;
            }
            if (pageRequests == MAX_PAGE_REQUEST_ROUNDS) {
                return new DmaResult(DmaStatus.RETRIES_EXHAUSTED, current, 0, null, pageRequests, stalls);
            }
            PendingGroup group = send(current.pasid(), new long[] {current.pageAddress()}, current.type().isRead(),
                    current.type().isWrite(), current.type().isInstruction(), current.privileged());
            if (group == null) {
                return new DmaResult(DmaStatus.PRI_UNAVAILABLE, current, 0, null, pageRequests, stalls);
            }
            pageRequests++;
            tx.reopen();
            PrgResponseMessage response = group.await(deadline);
            if (response == null) {
                abandon(group);
                return new DmaResult(DmaStatus.TIMED_OUT, current, 0, null, pageRequests, stalls);
            }
            switch (response.code()) {
                case SUCCESS:
                    break;
                case INVALID_REQUEST:
                    return new DmaResult(DmaStatus.PAGE_REQUEST_INVALID, current, 0, null, pageRequests, stalls);
                default:
                    return new DmaResult(DmaStatus.PAGE_REQUEST_FAILED, current, 0, null, pageRequests, stalls);
            }
        }
    }

    /** Presents one access to the IOMMU without waiting (for tests and workloads that watch stalls). */
    public DmaTransaction start(DmaAccess access) {
        if (access.requesterId() != requesterId) {
            throw new IllegalArgumentException("access of another requester");
        }
        return port.issue(access);
    }

    /**
     * Sends one page request group of several pages (all but the last with L = 0) and waits for its response.
     *
     * @return the response, or empty if none arrived before the timeout (the group is then abandoned)
     * @throws IllegalStateException if the device has no PRI, PRI is disabled or stopped, or the allocation
     *     has no room for the group
     */
    public Optional<PrgResponseMessage> requestPages(int pasid, long[] pages, boolean read, boolean write,
            Duration timeout) {
        if (pages.length == 0) {
            throw new IllegalArgumentException("a page request group has at least one page");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        PendingGroup group = send(pasid, pages, read, write, false, false);
        if (group == null) {
            throw new IllegalStateException(name + ": PRI does not allow " + pages.length
                    + " page requests now (no PRI, disabled, stopped by Response Failure, or out of credits)");
        }
        PrgResponseMessage response = group.await(deadline);
        if (response == null) {
            abandon(group);
        }
        return Optional.ofNullable(response);
    }

    /**
     * Sends a Stop Marker for {@code pasid} (PCIe Stop Marker): the device no longer uses it. Not answered.
     *
     * @throws IllegalStateException if the device has no PRI or PRI is not enabled
     */
    public void sendStopMarker(int pasid) {
        if (pri == null || (pri.control() & PriCapability.CTRL_ENABLE) == 0) {
            throw new IllegalStateException(name + ": a Stop Marker needs PRI enabled");
        }
        int index;
        synchronized (this) {
            index = allocateIndex();
        }
        port.pageRequest(PageRequestMessage.stopMarker(requesterId, pasid, index));
    }

    @Override
    public void receive(PrgResponseMessage response) {
        PendingGroup group;
        synchronized (this) {
            responsesReceived++;
            group = pending.remove(response.prgIndex());
            if (group == null) {
                unexpectedResponses++;
            }
        }
        if (group == null) {
            if (pri != null) {
                pri.recordUnexpectedIndex();
            }
            return;
        }
        pri.release(group.pages);
        PrgResponseCode code = response.code();
        if (code == PrgResponseCode.RESPONSE_FAILURE || code == PrgResponseCode.RESERVED) {
            pri.recordResponseFailure();
        }
        group.complete(response);
    }

    /** How many PRG responses arrived in all. */
    public synchronized long responsesReceived() {
        return responsesReceived;
    }

    /** How many PRG responses named an index with nothing outstanding (PRI Status.UPRGI is set for them). */
    public synchronized long unexpectedResponses() {
        return unexpectedResponses;
    }

    /** How many page request groups wait for a response. */
    public synchronized int pendingGroups() {
        return pending.size();
    }

    private @Nullable PendingGroup send(int pasid, long[] pages, boolean read, boolean write, boolean exec, boolean priv) {
        if (pri == null || !pri.tryReserve(pages.length)) {
            return null;
        }
        PendingGroup group;
        synchronized (this) {
            int index = allocateIndex();
            if (index < 0) {
                pri.release(pages.length);
                return null;
            }
            group = new PendingGroup(index, pages.length);
            pending.put(index, group);
        }
        boolean withPasid = pasid != Pasid.NONE;
        for (int i = 0; i < pages.length; i++) {
            // Execute and Privileged live in the PASID prefix: without a PASID they are 0 (PCIe Page Request).
            port.pageRequest(new PageRequestMessage(requesterId, pasid, withPasid && exec, withPasid && priv,
                    read || exec, write, i == pages.length - 1, group.index, pages[i] & ~0xfffL));
        }
        return group;
    }

    private int allocateIndex() {
        for (int i = 0; i <= PageRequestMessage.PRG_INDEX_MASK; i++) {
            int candidate = (nextPrgIndex + i) & PageRequestMessage.PRG_INDEX_MASK;
            if (!pending.containsKey(candidate)) {
                nextPrgIndex = candidate + 1;
                return candidate;
            }
        }
        return -1;
    }

    private void abandon(PendingGroup group) {
        boolean removed;
        synchronized (this) {
            removed = pending.remove(group.index, group);
        }
        if (removed) {
            pri.release(group.pages);
        }
    }

    private byte @Nullable [] access(DmaAccess access, long physical, byte @Nullable [] data) {
        if (access.type().isWrite()) {
            memory.writeBytes(physical, data);
            return null;
        }
        return memory.readBytes(physical, access.size());
    }

    private static TranslationOutcome awaitUntil(DmaTransaction tx, long deadline) {
        try {
            return tx.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return tx.outcome();
        }
    }

    @Override
    public String toString() {
        return "DmaDevice[" + name + " rid=0x" + Integer.toHexString(requesterId) + " via " + port.name() + "]";
    }

    /** One page request group waiting for its PRG response. */
    private static final class PendingGroup {
        final int index;
        final int pages;
        private PrgResponseMessage response;

        PendingGroup(int index, int pages) {
            this.index = index;
            this.pages = pages;
        }

        synchronized void complete(PrgResponseMessage r) {
            response = r;
            notifyAll();
        }

        synchronized PrgResponseMessage await(long deadline) {
            try {
                while (response == null) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return response;
        }
    }
}
