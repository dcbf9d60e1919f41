package dev.faultline.drivers.msm;

import dev.faultline.api.fault.Permissions;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * An Adreno GPU behind an SMMU, as the msm driver runs it: per-context address spaces (bound by PASID or by
 * switching TTBR0), jobs executed from a ring, stall-on-fault with a cooldown in fault storms, a snapshot per
 * faulting job, and hang recovery that resets the faulting context while the others keep running.
 *
 * <p>Thread-safe.
 *
 * @since 1.0
 */
@ProviderType
public interface AdrenoGpu {

    /** A snapshot of its state. */
    GpuStatus status();

    /**
     * Creates a context with an empty address space and attaches it to the GPU's IOMMU.
     *
     * @return its id
     */
    int createContext();

    /**
     * Allocates {@code size} bytes of zeroed memory and maps them at {@code iova} in context {@code context}.
     *
     * @throws IllegalArgumentException for an unknown context, unaligned range, or a range already mapped
     */
    void map(int context, long iova, long size, Permissions access);

    /**
     * Unmaps {@code [iova, iova + size)} from the context (the memory stays allocated, as after a BO close).
     *
     * @throws IllegalArgumentException for an unknown context
     */
    void unmap(int context, long iova, long size);

    /**
     * Reads the 64-bit word at {@code iova} of the context through the CPU's view of the memory.
     *
     * @throws IllegalArgumentException for an unknown context or an unmapped address
     */
    long readWord(int context, long iova);

    /**
     * Queues a job in the ring.
     *
     * @return its sequence number (fence)
     * @throws IllegalArgumentException for an unknown context or no steps
     */
    long submit(int context, List<GpuCommand> commands);

    /**
     * Where job {@code seqno} is.
     *
     * @throws IllegalArgumentException for an unknown job
     */
    JobState job(long seqno);

    /** Every snapshot captured so far, oldest first (bounded; the oldest are dropped). */
    List<GpuSnapshot> snapshots();

    /**
     * Reads and frees the pending crash state (reading and then freeing the devcoredump), which lets the next
     * fault be captured and stall be re-enabled.
     */
    Optional<GpuSnapshot> readCrashState();
}
