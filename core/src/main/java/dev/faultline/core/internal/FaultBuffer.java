package dev.faultline.core.internal;

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
final class FaultBuffer {
    private int size;
    private int[] pasids;
    private int[] flags;
    private Permissions[] permissions;
    private long[] addresses;
    private long[] privateData0;
    private long[] privateData1;
    private boolean recoverable;
    private int groupId;
    private long fetchAddress;
    private HardwareRecord record = HardwareRecord.NONE;

    FaultBuffer(int capacity) {
        int c = Math.max(1, capacity);
        pasids = new int[c];
        flags = new int[c];
        permissions = new Permissions[c];
        addresses = new long[c];
        privateData0 = new long[c];
        privateData1 = new long[c];
    }

    /** Empties the buffer for a page request group. */
    void startGroup(int group) {
        clear();
        recoverable = true;
        groupId = group;
    }

    /** Holds one unrecoverable fault ({@link UnrecoverableFault} flags). */
    void setUnrecoverable(int faultFlags, int pasid, Permissions access, long address, long fetch,
            HardwareRecord raw) {
        clear();
        recoverable = false;
        groupId = -1;
        append(pasid, faultFlags, access, address, 0, 0);
        fetchAddress = fetch;
        record = raw;
    }

    /** Appends a page request ({@link PageRequest} flags). */
    void append(int pasid, int requestFlags, Permissions access, long address, long data0, long data1) {
        if (size == pasids.length) {
            grow();
        }
        pasids[size] = pasid;
        flags[size] = requestFlags;
        permissions[size] = access;
        addresses[size] = address;
        privateData0[size] = data0;
        privateData1[size] = data1;
        size++;
    }

    /** Appends fault {@code index} of {@code from}. */
    void appendFrom(FaultBuffer from, int index) {
        append(from.pasids[index], from.flags[index], from.permissions[index], from.addresses[index],
                from.privateData0[index], from.privateData1[index]);
    }

    /** Moves fault {@code from} to the earlier position {@code to} (compacting in place). */
    void move(int from, int to) {
        pasids[to] = pasids[from];
        flags[to] = flags[from];
        permissions[to] = permissions[from];
        addresses[to] = addresses[from];
        privateData0[to] = privateData0[from];
        privateData1[to] = privateData1[from];
    }

    /** Keeps the first {@code newSize} faults. */
    void truncate(int newSize) {
        Arrays.fill(permissions, newSize, size, null);
        size = newSize;
    }

    /**
     * Forgets the faults. The permission values of the last groups stay referenced until overwritten (small
     * immutable values, at most the buffer's capacity); the hardware record, which may be large, does not.
     */
    void clear() {
        size = 0;
        if (record != HardwareRecord.NONE) {
            record = HardwareRecord.NONE;
        }
        fetchAddress = 0;
    }

    /** An exact-size copy, for a group that outlives its slot. */
    FaultBuffer copy() {
        FaultBuffer c = new FaultBuffer(size);
        System.arraycopy(pasids, 0, c.pasids, 0, size);
        System.arraycopy(flags, 0, c.flags, 0, size);
        System.arraycopy(permissions, 0, c.permissions, 0, size);
        System.arraycopy(addresses, 0, c.addresses, 0, size);
        System.arraycopy(privateData0, 0, c.privateData0, 0, size);
        System.arraycopy(privateData1, 0, c.privateData1, 0, size);
        c.size = size;
        c.recoverable = recoverable;
        c.groupId = groupId;
        c.fetchAddress = fetchAddress;
        c.record = record;
        return c;
    }

    int size() {
        return size;
    }

    boolean recoverable() {
        return recoverable;
    }

    int groupId() {
        return groupId;
    }

    int pasid(int index) {
        return pasids[check(index)];
    }

    int flags(int index) {
        return flags[check(index)];
    }

    Permissions permissions(int index) {
        return permissions[check(index)];
    }

    long address(int index) {
        return addresses[check(index)];
    }

    long privateData0(int index) {
        return privateData0[check(index)];
    }

    long privateData1(int index) {
        return privateData1[check(index)];
    }

    int lastPasid() {
        return pasids[size - 1];
    }

    int lastFlags() {
        return flags[size - 1];
    }

    long fetchAddress() {
        return fetchAddress;
    }

    HardwareRecord record() {
        return record;
    }

    /** Fault {@code index} as a value of {@code device} (allocates). */
    Fault fault(DeviceId device, int index) {
        check(index);
        if (!recoverable) {
            return new UnrecoverableFault(device, flags[index], pasids[index], permissions[index], addresses[index],
                    fetchAddress, record);
        }
        boolean needsPasid = (flags[index] & PageRequest.FLAG_RESPONSE_NEEDS_PASID) != 0;
        return new PageRequest(device, pasids[index], groupId, index == size - 1, addresses[index],
                permissions[index], privateData0[index], privateData1[index], needsPasid && pasids[index] != Pasid.NONE);
    }

    private int check(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("fault " + index + " of a group of " + size);
        }
        return index;
    }

    private void grow() {
        int c = pasids.length * 2;
        pasids = Arrays.copyOf(pasids, c);
        flags = Arrays.copyOf(flags, c);
        permissions = Arrays.copyOf(permissions, c);
        addresses = Arrays.copyOf(addresses, c);
        privateData0 = Arrays.copyOf(privateData0, c);
        privateData1 = Arrays.copyOf(privateData1, c);
    }
}
