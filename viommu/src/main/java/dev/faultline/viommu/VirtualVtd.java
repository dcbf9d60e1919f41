package dev.faultline.viommu;

import dev.faultline.api.fault.DeviceId;
import java.util.concurrent.TimeUnit;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A virtual Intel VT-d remapping unit a guest programs itself, in front of the guest's {@link VirtualIommu}: the
 * VMM traps the guest's accesses to the unit's register page and hands them here; the scalable-mode root,
 * context, PASID-directory and PASID tables, the invalidation queue and the page request queue live in guest
 * memory, as the VT-d spec lays them out, and are read from (and written to) there.
 *
 * <p><b>Configuration.</b> GCMD.SRTP latches RTADDR (scalable mode only), GCMD.TE enables translation. A
 * context-cache or PASID-cache invalidation descriptor re-reads the guest's entries it covers, validates them
 * and, for each (device, PASID) whose entry changed, has the VMM's {@link PasidBinder} install it for the host
 * device (a nested attach: the guest's first level over the host's second level). The unit advertises caching
 * mode (CAP.CM), so a guest's driver invalidates after making an entry present too.
 *
 * <p><b>Faults.</b> {@link #deliver} takes the guest's events from its vIOMMU: an unrecoverable fault is written
 * into the guest's fault recording registers (FRCD) as the record the hardware would write for the guest's own
 * tables, made from permissions, address and PASID only; FSTS.PPF/FRI/PFO and the fault event follow the VT-d
 * recording rule. A page request group is written into the guest's page request queue with a group index of the
 * unit's; the guest answers it with a page group response descriptor on its invalidation queue.
 *
 * <p><b>Answers.</b> A page group response naming a (requester id, PASID, group index) the guest read from its
 * queue answers that group: Success as SUCCESS, anything else as INVALID. One that names no such group (forged,
 * stale, replayed, another device's) is a no-op and counted; it never reaches another group.
 *
 * <p><b>Hostile guests.</b> Every value read from guest memory or written to a register is checked: reserved
 * bits, encodings, features the unit does not offer, addresses against guest RAM, queue pointers against the
 * queue. A bad register write is ignored, a bad descriptor stops the invalidation queue with FSTS.IQE until
 * the guest clears it, a bad table entry aborts its PASIDs; each is counted in {@link #statistics()}; nothing is
 * printed. The work of one register write is bounded by the invalidation queue's size.
 *
 * <p>Thread-safe.
 *
 * @since 1.2
 */
@ProviderType
public interface VirtualVtd {
    /** {@link #takeInterrupts()} bit: the fault event (FECTL). */
    int FAULT_EVENT = 1;
    /** {@link #takeInterrupts()} bit: the page request event (PECTL). */
    int PAGE_REQUEST_EVENT = 2;
    /** {@link #takeInterrupts()} bit: the invalidation completion event (IECTL). */
    int INVALIDATION_EVENT = 4;

    /** The guest's vIOMMU, which receives its faults and its answers. */
    VirtualIommu viommu();

    /** How the unit was built. */
    VirtualVtdOptions options();

    /**
     * Gives a host device to the guest as virtual requester id {@code requesterId} (bus [15:8], devfn [7:0];
     * {@link VirtualIommu#addDevice}); its requests abort until the guest's entries for it take effect.
     *
     * @throws IllegalArgumentException if the id does not fit 16 bits, or the device or id is in use
     */
    void addDevice(DeviceId device, int requesterId);

    /** A guest's 32-bit register read (MMIO trap). Unknown offsets read as zero. */
    int read32(int offset);

    /** A guest's 64-bit register read. Unknown offsets read as zero. */
    long read64(int offset);

    /** A guest's 32-bit register write (MMIO trap). Writes to unknown or read-only offsets are counted. */
    void write32(int offset, int value);

    /** A guest's 64-bit register write. Writes to unknown or read-only offsets are counted. */
    void write64(int offset, long value);

    /**
     * Waits up to the timeout for the guest's events and writes them into its fault recording registers and page
     * request queue (what the VMM's event thread does).
     *
     * @return the fault records and page request descriptors written
     * @throws InterruptedException if the waiting thread is interrupted
     */
    int deliver(long timeout, TimeUnit unit) throws InterruptedException;

    /**
     * The interrupts the unit raised since the last call (unmasked ones, and masked ones on unmasking): a mask
     * of {@link #FAULT_EVENT}, {@link #PAGE_REQUEST_EVENT} and {@link #INVALIDATION_EVENT}, which the VMM injects
     * as the MSIs the guest programmed.
     */
    int takeInterrupts();

    /** A snapshot of the counters. */
    VirtualVtdStatistics statistics();
}
