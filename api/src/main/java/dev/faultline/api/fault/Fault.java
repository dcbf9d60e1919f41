package dev.faultline.api.fault;

/**
 * One fault an IOMMU reported: a recoverable {@link PageRequest} or an {@link UnrecoverableFault}.
 * Immutable and thread-safe.
 */
public sealed interface Fault permits PageRequest, UnrecoverableFault {

    /** The device the faulting transaction came from. */
    DeviceId device();

    /** Whether the device waits for an answer (page request) or the transaction already failed. */
    boolean recoverable();

    /** The PASID, or {@link Pasid#NONE}. */
    int pasid();

    /** Whether the transaction carried a PASID. */
    default boolean hasPasid() {
        return pasid() != Pasid.NONE;
    }

    /** The permissions the transaction asked for. */
    Permissions permissions();

    /** The faulting input address (IOVA or virtual address). 0 when the hardware gave none. */
    long address();
}
