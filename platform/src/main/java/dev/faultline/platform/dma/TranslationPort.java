package dev.faultline.platform.dma;

import org.osgi.annotation.versioning.ProviderType;

/**
 * An IOMMU's upstream port: devices behind it issue their accesses here and, when PRI-capable, send page
 * requests and receive PRG responses. Implemented by each IOMMU model (SMMUv3, VT-d).
 *
 * <p>Thread-safe.
 */
@ProviderType
public interface TranslationPort {

    /** The IOMMU's name, e.g. {@code smmuv3.0}. */
    String name();

    /**
     * Presents one access in a new transaction: {@code issue(new DmaTransaction(access))}. The returned transaction
     * may already be final (translated, aborted) or be pending or stalled until software acts; the IOMMU completes it
     * exactly once.
     */
    default DmaTransaction issue(DmaAccess access) {
        return issue(new DmaTransaction(access));
    }

    /**
     * Presents a transaction the device holds: a new one, or one it {@link DmaTransaction#reopen() reopened} after
     * its last outcome (a device reusing its transactions as PCIe tags allocates nothing per access). The port
     * {@link DmaTransaction#admit() admits} it first, then translates it as {@link #issue(DmaAccess)} does, and keeps
     * no reference to it once it is final.
     *
     * @return {@code transaction}, possibly final already
     * @throws IllegalStateException if the transaction is in flight (admitted and not final) or final and not
     *     reopened; the port does not touch it then
     * @since 1.1
     */
    DmaTransaction issue(DmaTransaction transaction);

    /**
     * Receives a PCIe Page Request message (PCIe Page Request). The IOMMU queues it for software (SMMUv3 PRI
     * queue, VT-d page request queue) or, when it cannot, answers it itself as the architecture says (e.g.
     * an automatic response on queue overflow).
     */
    void pageRequest(PageRequestMessage message);

    /**
     * Connects the function with {@code requesterId}: PRG responses for that id go to {@code receiver}.
     * Replaces an earlier connection of the same id.
     */
    void connect(int requesterId, PrgResponseReceiver receiver);

    /** Disconnects the function; responses for it are then dropped (and counted by the IOMMU). */
    void disconnect(int requesterId);
}
