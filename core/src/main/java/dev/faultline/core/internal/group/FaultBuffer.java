package dev.faultline.core.internal.group;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Fault;
import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.UnrecoverableFault;
import java.util.Arrays;

/**
 * The faults of one group in primitive arrays: page requests (the last one last) or one unrecoverable fault.
 * Reused by the inline group slots, so its arrays grow only when a group is larger than any before it.
 * Not thread-safe.
 */
public final class FaultBuffer {
    /** Longs per fault in {@link #words}: PASID and flags, address, private data 0 and 1 (one cache line per two). */
    private static final int STRIDE = 4;

    private int size;
    private long[] words;
    /**
     * The access bits of each fault ({@link Permissions#bits()}): a byte, not a reference, because a reference stored
     * into this long-lived buffer costs a garbage collector's write barrier (with G1, a fence) on every fault.
     */
    private byte[] access;
    private boolean recoverable;
    private int groupId;
    private long fetchAddress;
    private HardwareRecord record = HardwareRecord.NONE;

    public FaultBuffer(int capacity) {
        int c = Math.max(1, capacity);
        words = new long[c * STRIDE];
        access = new byte[c];
    }

    /** Empties the buffer for a page request group. */
    public void startGroup(int group) {
        clear();
        recoverable = true;
        groupId = group;
    }

    /** Holds one unrecoverable fault ({@link UnrecoverableFault} flags). */
    public void setUnrecoverable(int pasid, int faultFlags, Permissions access, long address, long fetch,
            HardwareRecord raw) {
        clear();
        recoverable = false;
        groupId = -1;
        append(pasid, faultFlags, access, address, 0, 0);
        fetchAddress = fetch;
        record = raw;
    }

    /** Appends a page request ({@link PageRequest} flags). */
    public void append(int pasid, int requestFlags, Permissions access, long address, long data0, long data1) {
        if (size == this.access.length) {
            grow();
        }
        int w = size * STRIDE;
        long[] ws = words;
        ws[w] = ((long) pasid << 32) | (requestFlags & 0xffff_ffffL);
        ws[w + 1] = address;
        ws[w + 2] = data0;
        ws[w + 3] = data1;
        this.access[size] = (byte) access.bits();
        size++;
    }

    /** Appends fault {@code index} of {@code from}. */
    void appendFrom(FaultBuffer from, int index) {
        int w = index * STRIDE;
        long[] f = from.words;
        append((int) (f[w] >>> 32), (int) f[w], Permissions.of(from.access[index]), f[w + 1], f[w + 2], f[w + 3]);
    }

    /** Moves fault {@code from} to the earlier position {@code to} (compacting in place). */
    void move(int from, int to) {
        System.arraycopy(words, from * STRIDE, words, to * STRIDE, STRIDE);
        access[to] = access[from];
    }

    /** Keeps the first {@code newSize} faults. */
    void truncate(int newSize) {
        size = newSize;
    }

    /**
     * Forgets the faults (the hardware record, which may be large, is not kept referenced).
     */
    public void clear() {
        size = 0;
        if (record != HardwareRecord.NONE) {
            record = HardwareRecord.NONE;
        }
        fetchAddress = 0;
    }

    /** An exact-size copy, for a group that outlives its slot. */
    public FaultBuffer copy() {
        FaultBuffer c = new FaultBuffer(size);
        System.arraycopy(words, 0, c.words, 0, size * STRIDE);
        System.arraycopy(access, 0, c.access, 0, size);
        c.size = size;
        c.recoverable = recoverable;
        c.groupId = groupId;
        c.fetchAddress = fetchAddress;
        c.record = record;
        return c;
    }

    /**
     * Makes this buffer a copy of {@code from}, in place: a pooled held group's buffer is refilled for each group it
     * holds, growing only for a group larger than any before it.
     */
    public void copyFrom(FaultBuffer from) {
        clear();
        while (access.length < from.size) {
            grow();
        }
        System.arraycopy(from.words, 0, words, 0, from.size * STRIDE);
        System.arraycopy(from.access, 0, access, 0, from.size);
        size = from.size;
        recoverable = from.recoverable;
        groupId = from.groupId;
        fetchAddress = from.fetchAddress;
        if (record != from.record) {
            record = from.record;
        }
    }

    public int size() {
        return size;
    }

    public boolean recoverable() {
        return recoverable;
    }

    public int groupId() {
        return groupId;
    }

    int pasid(int index) {
        return (int) (words[check(index) * STRIDE] >>> 32);
    }

    int flags(int index) {
        return (int) words[check(index) * STRIDE];
    }

    public Permissions permissions(int index) {
        return Permissions.of(access[check(index)]);
    }

    public long address(int index) {
        return words[check(index) * STRIDE + 1];
    }

    public long privateData0(int index) {
        return words[check(index) * STRIDE + 2];
    }

    public long privateData1(int index) {
        return words[check(index) * STRIDE + 3];
    }

    public int lastPasid() {
        return (int) (words[(size - 1) * STRIDE] >>> 32);
    }

    public int lastFlags() {
        return (int) words[(size - 1) * STRIDE];
    }

    public long fetchAddress() {
        return fetchAddress;
    }

    public HardwareRecord record() {
        return record;
    }

    /** Fault {@code index} as a value of {@code device} (allocates). */
    public Fault fault(DeviceId device, int index) {
        int pasid = pasid(index);
        int faultFlags = flags(index);
        if (!recoverable) {
            return new UnrecoverableFault(device, faultFlags, pasid, permissions(index), address(index),
                    fetchAddress, record);
        }
        boolean needsPasid = (faultFlags & PageRequest.FLAG_RESPONSE_NEEDS_PASID) != 0;
        return new PageRequest(device, pasid, groupId, index == size - 1, address(index), permissions(index),
                privateData0(index), privateData1(index), needsPasid && pasid != Pasid.NONE);
    }

    private int check(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("fault " + index + " of a group of " + size);
        }
        return index;
    }

    private void grow() {
        int c = access.length * 2;
        words = Arrays.copyOf(words, c * STRIDE);
        access = Arrays.copyOf(access, c);
    }
}
