package dev.faultline.drivers.remoteproc;

import java.util.Arrays;
import java.util.Objects;

/** The contents of one memory region at the time of a crash (a coredump segment, {@code rproc_dump_segment}). */
public final class CoredumpSegment {
    private final String name;
    private final long deviceAddress;
    private final byte[] data;

    /** A segment holding a copy of {@code data}. */
    public CoredumpSegment(String name, long deviceAddress, byte[] data) {
        this.name = Objects.requireNonNull(name, "name");
        this.deviceAddress = deviceAddress;
        this.data = data.clone();
    }

    /** The region's name. */
    public String name() {
        return name;
    }

    /** The region's device address. */
    public long deviceAddress() {
        return deviceAddress;
    }

    /** Its size in bytes. */
    public int size() {
        return data.length;
    }

    /** A copy of the bytes. */
    public byte[] data() {
        return data.clone();
    }

    /**
     * The little-endian 64-bit word at device address {@code address}.
     *
     * @throws IndexOutOfBoundsException if the word is not inside the segment
     */
    public long word(long address) {
        long offset = address - deviceAddress;
        if (offset < 0 || offset + Long.BYTES > data.length) {
            throw new IndexOutOfBoundsException(String.format("0x%x is outside segment %s", address, name));
        }
        long value = 0;
        for (int b = Long.BYTES - 1; b >= 0; b--) {
            value = value << 8 | (data[(int) offset + b] & 0xff);
        }
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CoredumpSegment s && s.name.equals(name) && s.deviceAddress == deviceAddress
                && Arrays.equals(s.data, data);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return String.format("CoredumpSegment[%s da=0x%x size=%d]", name, deviceAddress, data.length);
    }
}
