package dev.faultline.viommu;

import dev.faultline.api.fault.DeviceId;
import java.util.concurrent.TimeUnit;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A virtual SMMUv3 a guest programs itself, in front of the guest's {@link VirtualIommu}: the VMM traps the
 * guest's accesses to the SMMU's register pages (page 0 at offset 0, page 1 at {@link #PAGE1}) and hands them
 * here; the stream table, the context descriptors and the command and event queues live in guest memory, as
 * IHI 0070 lays them out, and are read from there.
 *
 * <p><b>Configuration.</b> CMD_CFGI_STE (and _STE_RANGE, _ALL) reads the guest's STE of a virtual stream,
 * validates it and, when it changed, has the VMM's {@link StreamBinder} install it for the host device (a
 * nested attach: the guest's CD table over the host's stage 2). CMD_CFGI_CD and _CD_ALL re-read the guest's CDs,
 * from which the guest's faults are diagnosed. A refused entry or descriptor is counted and the stream aborts.
 *
 * <p><b>Events.</b> {@link #deliver} takes the guest's events from its vIOMMU and writes them into the guest's
 * event queue as SMMUv3 event records built from permissions, address and PASID only: an unrecoverable fault as
 * the stage-1 event its tables give, a page request (a stall) as that event with Stall = 1 and a STAG of the
 * virtual SMMU's. The queue follows IHI 0070 §7.4: a full queue discards non-stall records and raises overflow
 * (EVENTQ_PROD.OVFLG); stall records wait for room. With STE.MEV = 1 a record identical to the last unread one
 * of the same stream is merged into it (§7.3.1); stall records never are.
 *
 * <p><b>Answers.</b> The guest's CMD_RESUME of a (virtual StreamID, STAG) it read from its queue answers that
 * stall: retry as SUCCESS, terminate as INVALID. A STAG that names no stall of that stream (forged, stale,
 * another stream's) is a no-op, as in hardware, and counted; it never reaches another group.
 *
 * <p><b>Hostile guests.</b> Every value read from guest memory or written to a register is checked: indices
 * against the configured sizes, addresses against guest RAM, alignment, reserved bits and encodings, queue
 * pointers against the queue's contents. A bad register write is ignored, a bad command stops the command
 * queue with CERROR_ILL (CMDQ_CONS.ERR, GERROR.CMDQ_ERR) until the guest acknowledges, a bad STE or CD aborts
 * its stream; each is counted in {@link #statistics()}; nothing is printed. The work of one register write is
 * bounded by the command queue's size.
 *
 * <p>Thread-safe.
 *
 * @since 1.1
 */
@ProviderType
public interface VirtualSmmuV3 {
    /** Offset of register page 1 (EVENTQ_PROD/CONS, PRIQ_PROD/CONS; IHI 0070 §6.2). */
    int PAGE1 = 0x10000;

    /** The guest's vIOMMU, which receives its faults and its answers. */
    VirtualIommu viommu();

    /**
     * Gives a host device to the guest as virtual StreamID {@code virtualSid} ({@link VirtualIommu#addDevice});
     * its traffic aborts until the guest's STE for it takes effect.
     *
     * @throws IllegalArgumentException if the StreamID does not fit the virtual SMMU's SIDSIZE, or the device or
     *     id is in use
     */
    void addStream(DeviceId device, int virtualSid);

    /** A guest's 32-bit register read (MMIO trap). Unknown offsets read as zero. */
    int read32(int offset);

    /** A guest's 64-bit register read (the _BASE registers). Unknown offsets read as zero. */
    long read64(int offset);

    /** A guest's 32-bit register write (MMIO trap). Writes to unknown or read-only offsets are counted. */
    void write32(int offset, int value);

    /** A guest's 64-bit register write (the _BASE registers). Writes elsewhere are counted and ignored. */
    void write64(int offset, long value);

    /**
     * Waits up to the timeout for the guest's events and writes them into its event queue (what the VMM's
     * event thread does); also writes the stall records that waited for room.
     *
     * @return the records written into the guest's queue
     * @throws InterruptedException if the waiting thread is interrupted
     */
    int deliver(long timeout, TimeUnit unit) throws InterruptedException;

    /** A snapshot of the counters. */
    VirtualSmmuStatistics statistics();
}
