package dev.faultline.drivers.usnic;

import java.util.OptionalLong;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A Cisco usNIC virtual function with its user memory protection domain ({@code usnic_uiom_pd}): user buffers
 * are registered (pinned and mapped into the PD's IOMMU domain) and the NIC reads and writes them by DMA.
 *
 * <p>The driver registers <b>no fault handler</b>: a NIC access outside the registrations faults in the IOMMU,
 * and the core reports it (rate-limited) and counts it like any fault nobody handles. Linux's
 * {@code usnic_uiom_dma_fault} only printed and returned {@code -ENOSYS}, so the IOMMU driver printed again.
 *
 * <p>Thread-safe.
 *
 * @since 1.0
 */
@ProviderType
public interface Usnic {

    /** Its state and counters. */
    UsnicStatus status();

    /**
     * Registers {@code [va, va + length)} of user memory ({@code usnic_uiom_reg_get}): backs it with pinned,
     * zeroed pages and maps them for the NIC.
     *
     * @param writable whether the NIC may write there (receive buffers) or only read (send buffers)
     * @throws IllegalArgumentException for an unaligned or overlapping range
     */
    void register(long va, long length, boolean writable);

    /**
     * Removes the registration starting at {@code va} ({@code usnic_uiom_reg_release}); the NIC faults on it
     * from now on.
     *
     * @return whether there was one
     */
    boolean deregister(long va);

    /**
     * Receives a packet word: the NIC writes {@code value} at {@code va} by DMA.
     *
     * @return whether the write reached memory
     */
    boolean receive(long va, long value);

    /**
     * Transmits from a send buffer: the NIC reads the word at {@code va} by DMA.
     *
     * @return the word, or empty if the IOMMU terminated the read
     */
    OptionalLong transmit(long va);
}
