package dev.faultline.platform.arm;

/**
 * Translates the address of a descriptor through the next stage, for nested walks: stage-1 tables live at
 * intermediate physical addresses that stage 2 maps.
 */
@FunctionalInterface
public interface TableAddressTranslator {
    /** Returned when translating a table address faulted; the translator keeps the details. */
    long FAULT = -1;

    /** The identity: tables live at physical addresses (stage 1 alone, or stage 2). */
    TableAddressTranslator IDENTITY = (address, write) -> address;

    /**
     * Translates the address of one descriptor.
     *
     * @param address the descriptor's (intermediate physical) address
     * @param write whether the walker updates the descriptor (hardware access flag or dirty state) rather than
     *     reading it
     * @return the physical address, or {@link #FAULT}
     */
    long translate(long address, boolean write);
}
