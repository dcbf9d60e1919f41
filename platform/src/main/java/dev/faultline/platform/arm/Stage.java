package dev.faultline.platform.arm;

/** The two VMSAv8-64 translation stages an SMMU walks (Arm ARM VMSAv8-64). */
public enum Stage {
    /** Stage 1: VA to IPA/PA, tables from CD.TTB0; AP[2:1], UXN/PXN, AttrIndx. */
    STAGE1,
    /** Stage 2: IPA to PA, tables from STE.S2TTB; S2AP, XN, MemAttr, SL0. */
    STAGE2
}
