package dev.faultline.viommu;

import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * An unrecoverable stage-1 fault of a guest device, in the two forms a guest can consume: the virtual hardware
 * record its own IOMMU driver parses ({@link #virtualRecord()}: an SMMUv3 event record or a VT-d fault record
 * naming the virtual device), and the permission-only message ({@link #virtioFault()}). The
 * {@link #reason()} is the one the vIOMMU derived by walking the guest's stage-1 table. By default both forms
 * are built from the permissions, address, PASID and that reason only, never from the host's record; a guest
 * created with {@link GuestLimits#rawRecords()} gets the host's record, its device id made the guest's.
 *
 * @param sequence the queue sequence number
 * @param virtualDevice the guest-visible device id (virtual stream id or requester id)
 * @param pasid the PASID or {@link Pasid#NONE}
 * @param permissions the access that faulted (r/w/x/priv), as the host knows it
 * @param addressValid whether {@code address} is meaningful
 * @param address the faulting input address, or 0
 * @param reason the reason derived from the guest's tables
 * @param virtualRecord {@code smmuv3-event} (4 dwords) or {@code vtd-frcd} (2 qwords) naming the virtual device;
 *     never carries a host physical address; {@link HardwareRecord#NONE} when the reason has no record in the
 *     guest's format ({@link UnresolvedFault#NO_STAGE1_CONTEXT}, {@link UnresolvedFault#NO_ADDRESS})
 */
public record UnrecoverableEvent(int sequence, int virtualDevice, int pasid, Permissions permissions,
        boolean addressValid, long address, FaultReason reason, HardwareRecord virtualRecord) implements GuestEvent {

    /**
     * Validates the event.
     *
     * @throws IllegalArgumentException for a negative sequence, a bad PASID, or an address given as invalid
     */
    public UnrecoverableEvent {
        Objects.requireNonNull(permissions, "permissions");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(virtualRecord, "virtualRecord");
        Pasid.requireValidOrNone(pasid);
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence " + sequence + " is negative");
        }
        if (!addressValid && address != 0) {
            throw new IllegalArgumentException("address given but marked invalid");
        }
    }

    /** The permission-only message: reason class, r/w/x flags (virtio has no privilege flag), endpoint, address. */
    public VirtioIommuFault virtioFault() {
        int flags = (permissions.read() ? VirtioIommuFault.FLAG_READ : 0)
                | (permissions.write() ? VirtioIommuFault.FLAG_WRITE : 0)
                | (permissions.exec() ? VirtioIommuFault.FLAG_EXEC : 0)
                | (addressValid ? VirtioIommuFault.FLAG_ADDRESS : 0);
        return new VirtioIommuFault(reason.virtioReason(), flags, virtualDevice, address);
    }

    @Override
    public int flags() {
        return 0;
    }

    /** The header, then the virtual record's words, little-endian (for SMMUv3, {@code iommu_vevent_arm_smmuv3}). */
    @Override
    public byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + Long.BYTES * virtualRecord.size())
                .order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0).putInt(sequence);
        for (int i = 0; i < virtualRecord.size(); i++) {
            b.putLong(virtualRecord.word(i));
        }
        return b.array();
    }
}
