package dev.faultline.platform.vtd;

/**
 * The class of a VT-d fault reason, as Linux's {@code dmar_get_fault_reason()} classifies it
 * ({@code enum faulttype} in {@code intel/dmar.c}).
 */
public enum FaultType {
    /** A DMA-remapping fault: legacy codes 0x00-0x0d and scalable-mode codes 0x30-0x90. */
    DMA_REMAP,
    /** An interrupt-remapping fault: codes 0x20-0x26, printed in the {@code [INTR-REMAP]} form. */
    INTR_REMAP,
    /** A code in none of Linux's tables; Linux prints it with the DMA line and the reason {@code Unknown}. */
    UNKNOWN
}
