package dev.faultline.drivers.msm;

/**
 * The fault type the msm driver prints ({@code type=} of adreno_fault_handler). Linux reads it from the SMMU's FSR;
 * here the driver derives it from its own view of the context's address space, as the 2023 design has a
 * vIOMMU do: no mapping is a translation fault, a mapping without the access is a permission fault, a table
 * walk that aborted (a fetch address is given) is an external fault.
 */
public enum FaultType {
    /** FSR.TF: no valid translation. */
    TRANSLATION,
    /** FSR.PF: the translation does not allow the access. */
    PERMISSION,
    /** FSR.EF: an external abort (of the table walk). */
    EXTERNAL,
    /** None of the above (the mapping allows the access; it changed since the fault). */
    UNKNOWN
}
