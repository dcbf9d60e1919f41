package dev.faultline.viommu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The permission-only fault message in its standard form, virtio-iommu's {@code struct virtio_iommu_fault}
 * (virtio-iommu fault event): a reason class, the access flags, the guest-visible endpoint id and the address, nothing
 * about the host's tables. 24 bytes, little-endian.
 *
 * @param reason {@link #REASON_UNKNOWN}, {@link #REASON_DOMAIN} or {@link #REASON_MAPPING} (one byte)
 * @param flags {@link #FLAG_READ}, {@link #FLAG_WRITE}, {@link #FLAG_EXEC}, {@link #FLAG_ADDRESS}
 * @param endpoint the endpoint (virtual device) id, unsigned 32-bit
 * @param address the faulting address; meaningful only with {@link #FLAG_ADDRESS}
 */
public record VirtioIommuFault(int reason, int flags, int endpoint, long address) {
    /** {@code VIRTIO_IOMMU_FAULT_R_UNKNOWN}. */
    public static final int REASON_UNKNOWN = 0;
    /** {@code VIRTIO_IOMMU_FAULT_R_DOMAIN}: the endpoint is not attached to a domain, or the domain is bad. */
    public static final int REASON_DOMAIN = 1;
    /** {@code VIRTIO_IOMMU_FAULT_R_MAPPING}: no mapping, or the mapping forbids the access. */
    public static final int REASON_MAPPING = 2;
    /** {@code VIRTIO_IOMMU_FAULT_F_READ}. */
    public static final int FLAG_READ = 1 << 0;
    /** {@code VIRTIO_IOMMU_FAULT_F_WRITE}. */
    public static final int FLAG_WRITE = 1 << 1;
    /** {@code VIRTIO_IOMMU_FAULT_F_EXEC}. */
    public static final int FLAG_EXEC = 1 << 2;
    /** {@code VIRTIO_IOMMU_FAULT_F_ADDRESS}: {@link #address()} is valid. */
    public static final int FLAG_ADDRESS = 1 << 8;
    /** {@code sizeof(struct virtio_iommu_fault)}. */
    public static final int BYTES = 24;

    /**
     * Validates the message.
     *
     * @throws IllegalArgumentException if the reason does not fit a byte or the address is given without
     *     {@link #FLAG_ADDRESS}
     */
    public VirtioIommuFault {
        if (reason < 0 || reason > 0xff) {
            throw new IllegalArgumentException("virtio-iommu fault reason " + reason + " does not fit one byte");
        }
        if ((flags & FLAG_ADDRESS) == 0 && address != 0) {
            throw new IllegalArgumentException("address given without VIRTIO_IOMMU_FAULT_F_ADDRESS");
        }
    }

    /** The 24 bytes the device writes into the driver's event buffer. */
    public byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) reason).put((byte) 0).put((byte) 0).put((byte) 0);
        b.putInt(flags).putInt(endpoint).putInt(0).putLong(address);
        return b.array();
    }

    /**
     * Reads an event buffer as the guest's driver does.
     *
     * @throws IllegalArgumentException if the buffer is not exactly {@value #BYTES} bytes (Linux: "invalid event
     *     buffer")
     */
    public static VirtioIommuFault parse(byte[] buffer) {
        if (buffer.length != BYTES) {
            throw new IllegalArgumentException("invalid event buffer (len " + buffer.length + " != " + BYTES + ")");
        }
        ByteBuffer b = ByteBuffer.wrap(buffer).order(ByteOrder.LITTLE_ENDIAN);
        int reason = b.get(0) & 0xff;
        int flags = b.getInt(4);
        int endpoint = b.getInt(8);
        long address = (flags & FLAG_ADDRESS) != 0 ? b.getLong(16) : 0;
        return new VirtioIommuFault(reason, flags, endpoint, address);
    }

    /** The line Linux's virtio-iommu driver prints for this fault. */
    public String linuxMessage() {
        String what = switch (reason) {
            case REASON_DOMAIN -> "domain";
            case REASON_MAPPING -> "page";
            default -> "unknown";
        };
        String ep = Integer.toUnsignedString(endpoint);
        if ((flags & FLAG_ADDRESS) == 0) {
            return what + " fault from EP " + ep;
        }
        return what + " fault from EP " + ep + " at 0x" + Long.toHexString(address) + " ["
                + ((flags & FLAG_READ) != 0 ? "R" : "") + ((flags & FLAG_WRITE) != 0 ? "W" : "")
                + ((flags & FLAG_EXEC) != 0 ? "X" : "") + "]";
    }
}
