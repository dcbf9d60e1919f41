package dev.faultline.drivers.remoteproc;

import java.util.Arrays;

/**
 * One loadable segment of a firmware image (an ELF {@code PT_LOAD}): {@code data} is copied to
 * {@code deviceAddress} and the rest of {@code memorySize} is zero-filled.
 */
public final class FirmwareSegment {
    private final long deviceAddress;
    private final byte[] data;
    private final long memorySize;

    private FirmwareSegment(long deviceAddress, byte[] data, long memorySize) {
        if (deviceAddress < 0 || (deviceAddress & 7) != 0) {
            throw new IllegalArgumentException(String.format(
                    "segment address 0x%x must be non-negative and 8-byte aligned", deviceAddress));
        }
        if (memorySize < data.length) {
            throw new IllegalArgumentException("segment memory size " + memorySize + " is smaller than its "
                    + data.length + " bytes of data");
        }
        this.deviceAddress = deviceAddress;
        this.data = data;
        this.memorySize = memorySize;
    }

    /**
     * A segment of {@code data} at {@code deviceAddress}, {@code memorySize} bytes in memory.
     *
     * @throws IllegalArgumentException for an unaligned address or a memory size below the data's
     */
    public static FirmwareSegment of(long deviceAddress, byte[] data, long memorySize) {
        return new FirmwareSegment(deviceAddress, data.clone(), memorySize);
    }

    /** A segment of 64-bit little-endian words (code or initialised data), exactly as long as the words. */
    public static FirmwareSegment ofWords(long deviceAddress, long... words) {
        byte[] bytes = new byte[words.length * Long.BYTES];
        for (int i = 0; i < words.length; i++) {
            for (int b = 0; b < Long.BYTES; b++) {
                bytes[i * Long.BYTES + b] = (byte) (words[i] >>> (8 * b));
            }
        }
        return new FirmwareSegment(deviceAddress, bytes, bytes.length);
    }

    /** Where the segment goes ({@code p_paddr}, a device address). */
    public long deviceAddress() {
        return deviceAddress;
    }

    /** The initialised bytes (a copy; {@code p_filesz} of them). */
    public byte[] data() {
        return data.clone();
    }

    /** The number of initialised bytes. */
    public int fileSize() {
        return data.length;
    }

    /** Its size in memory ({@code p_memsz}). */
    public long memorySize() {
        return memorySize;
    }

    /** The initialised byte at {@code offset}. */
    public byte byteAt(int offset) {
        return data[offset];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FirmwareSegment s && s.deviceAddress == deviceAddress && s.memorySize == memorySize
                && Arrays.equals(s.data, data);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(deviceAddress) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return String.format("FirmwareSegment[da=0x%x filesz=%d memsz=%d]", deviceAddress, data.length, memorySize);
    }
}
