package dev.faultline.platform.smmuv3;

/**
 * SMMUv3 register offsets and fields (IHI 0070 §6.3; Linux {@code ARM_SMMU_*} names).
 * Offsets are from the SMMU base; page-1 registers are at {@code 0x10000 +} their page offset.
 */
public final class SmmuRegisters {
    /** {@code ARM_SMMU_IDR0}. */
    public static final int IDR0 = 0x000;
    /** {@code ARM_SMMU_IDR1}. */
    public static final int IDR1 = 0x004;
    /** {@code ARM_SMMU_IDR3}. */
    public static final int IDR3 = 0x00C;
    /** {@code ARM_SMMU_IDR5}. */
    public static final int IDR5 = 0x014;
    /** {@code ARM_SMMU_IIDR}. */
    public static final int IIDR = 0x018;
    /** {@code ARM_SMMU_CR0}. */
    public static final int CR0 = 0x020;
    /** {@code ARM_SMMU_CR0ACK}. */
    public static final int CR0ACK = 0x024;
    /** {@code ARM_SMMU_CR1}. */
    public static final int CR1 = 0x028;
    /** {@code ARM_SMMU_CR2}. */
    public static final int CR2 = 0x02C;
    /** {@code ARM_SMMU_GBPA}. */
    public static final int GBPA = 0x044;
    /** {@code ARM_SMMU_IRQ_CTRL}. */
    public static final int IRQ_CTRL = 0x050;
    /** {@code ARM_SMMU_IRQ_CTRLACK}. */
    public static final int IRQ_CTRLACK = 0x054;
    /** {@code ARM_SMMU_GERROR}. */
    public static final int GERROR = 0x060;
    /** {@code ARM_SMMU_GERRORN}. */
    public static final int GERRORN = 0x064;
    /** {@code ARM_SMMU_STRTAB_BASE} (64-bit). */
    public static final int STRTAB_BASE = 0x080;
    /** {@code ARM_SMMU_STRTAB_BASE_CFG}. */
    public static final int STRTAB_BASE_CFG = 0x088;
    /** {@code ARM_SMMU_CMDQ_BASE} (64-bit). */
    public static final int CMDQ_BASE = 0x090;
    /** {@code ARM_SMMU_CMDQ_PROD}. */
    public static final int CMDQ_PROD = 0x098;
    /** {@code ARM_SMMU_CMDQ_CONS}. */
    public static final int CMDQ_CONS = 0x09C;
    /** {@code ARM_SMMU_EVTQ_BASE} (64-bit). */
    public static final int EVENTQ_BASE = 0x0A0;
    /** {@code ARM_SMMU_EVTQ_PROD}: page 1. */
    public static final int EVENTQ_PROD = 0x100A8;
    /** {@code ARM_SMMU_EVTQ_CONS}: page 1. */
    public static final int EVENTQ_CONS = 0x100AC;
    /** {@code ARM_SMMU_PRIQ_BASE} (64-bit). */
    public static final int PRIQ_BASE = 0x0C0;
    /** {@code ARM_SMMU_PRIQ_PROD}: page 1. */
    public static final int PRIQ_PROD = 0x100C8;
    /** {@code ARM_SMMU_PRIQ_CONS}: page 1. */
    public static final int PRIQ_CONS = 0x100CC;

    /** IDR0.S2P, bit 0. */
    public static final int IDR0_S2P = 1 << 0;
    /** IDR0.S1P, bit 1. */
    public static final int IDR0_S1P = 1 << 1;
    /** IDR0.TTF [3:2] = 2: AArch64 tables. */
    public static final int IDR0_TTF_AARCH64 = 2 << 2;
    /** IDR0.COHACC, bit 4. */
    public static final int IDR0_COHACC = 1 << 4;
    /** IDR0.HTTU [7:6] = 2: access flag and dirty state. */
    public static final int IDR0_HTTU_AD = 2 << 6;
    /** IDR0.ATS, bit 10. */
    public static final int IDR0_ATS = 1 << 10;
    /** IDR0.ASID16, bit 12. */
    public static final int IDR0_ASID16 = 1 << 12;
    /** IDR0.PRI, bit 16. */
    public static final int IDR0_PRI = 1 << 16;
    /** IDR0.VMID16, bit 18. */
    public static final int IDR0_VMID16 = 1 << 18;
    /** IDR0.CD2L, bit 19. */
    public static final int IDR0_CD2L = 1 << 19;
    /** IDR0.STALL_MODEL shift ([25:24]). */
    public static final int IDR0_STALL_MODEL_SHIFT = 24;
    /** IDR0.TERM_MODEL, bit 26. */
    public static final int IDR0_TERM_MODEL = 1 << 26;
    /** IDR0.ST_LVL [28:27] = 1: 2-level stream table. */
    public static final int IDR0_ST_LVL_2LVL = 1 << 27;
    /** IDR1.SSIDSIZE shift ([10:6]). */
    public static final int IDR1_SSIDSIZE_SHIFT = 6;
    /** IDR1.PRIQS shift ([15:11]). */
    public static final int IDR1_PRIQS_SHIFT = 11;
    /** IDR1.EVTQS shift ([20:16]). */
    public static final int IDR1_EVTQS_SHIFT = 16;
    /** IDR1.CMDQS shift ([25:21]). */
    public static final int IDR1_CMDQS_SHIFT = 21;
    /** IDR5.GRAN4K, bit 4. */
    public static final int IDR5_GRAN4K = 1 << 4;
    /** IDR5.STALL_MAX shift ([31:16]). */
    public static final int IDR5_STALL_MAX_SHIFT = 16;

    /** CR0.SMMUEN. */
    public static final int CR0_SMMUEN = 1 << 0;
    /** CR0.PRIQEN. */
    public static final int CR0_PRIQEN = 1 << 1;
    /** CR0.EVENTQEN. */
    public static final int CR0_EVTQEN = 1 << 2;
    /** CR0.CMDQEN. */
    public static final int CR0_CMDQEN = 1 << 3;
    /** CR0.ATSCHK. */
    public static final int CR0_ATSCHK = 1 << 4;
    /** CR2.E2H. */
    public static final int CR2_E2H = 1 << 0;
    /** CR2.RECINVSID: record C_BAD_STREAMID. */
    public static final int CR2_RECINVSID = 1 << 1;
    /** CR2.PTM. */
    public static final int CR2_PTM = 1 << 2;
    /** GBPA.ABORT, bit 20. */
    public static final int GBPA_ABORT = 1 << 20;
    /** GBPA.UPDATE, bit 31. */
    public static final int GBPA_UPDATE = 1 << 31;
    /** IRQ_CTRL.GERROR_IRQEN. */
    public static final int IRQ_CTRL_GERROR_IRQEN = 1 << 0;
    /** IRQ_CTRL.PRIQ_IRQEN. */
    public static final int IRQ_CTRL_PRIQ_IRQEN = 1 << 1;
    /** IRQ_CTRL.EVENTQ_IRQEN. */
    public static final int IRQ_CTRL_EVTQ_IRQEN = 1 << 2;
    /** GERROR.CMDQ_ERR. */
    public static final int GERROR_CMDQ_ERR = 1 << 0;
    /** GERROR.EVENTQ_ABT_ERR. */
    public static final int GERROR_EVTQ_ABT_ERR = 1 << 2;
    /** GERROR.PRIQ_ABT_ERR. */
    public static final int GERROR_PRIQ_ABT_ERR = 1 << 3;
    /** GERROR.SFM_ERR. */
    public static final int GERROR_SFM_ERR = 1 << 8;
    /** Linux {@code GERROR_ERR_MASK}. */
    public static final int GERROR_ERR_MASK = 0x1fd;

    /** {@code Q_BASE_LOG2SIZE} [4:0]. */
    public static final long Q_BASE_LOG2SIZE = 0x1f;
    /** {@code Q_BASE_ADDR_MASK} [51:5]. */
    public static final long Q_BASE_ADDR_MASK = 0x000f_ffff_ffff_ffe0L;
    /** {@code Q_BASE_RWA}, bit 62. */
    public static final long Q_BASE_RWA = 1L << 62;
    /** {@code Q_OVERFLOW_FLAG}: PROD.OVFLG / CONS.OVACKFLG, bit 31. */
    public static final int Q_OVERFLOW_FLAG = 1 << 31;
    /** {@code CMDQ_CONS_ERR} shift ([30:24]). */
    public static final int CMDQ_CONS_ERR_SHIFT = 24;
    /** CMDQ_CONS.ERR: CERROR_NONE. */
    public static final int CERROR_NONE = 0;
    /** CMDQ_CONS.ERR: CERROR_ILL, illegal command. */
    public static final int CERROR_ILL = 1;
    /** CMDQ_CONS.ERR: CERROR_ABT, abort on command fetch. */
    public static final int CERROR_ABT = 2;
    /** {@code STRTAB_BASE_ADDR_MASK} [51:6]. */
    public static final long STRTAB_BASE_ADDR_MASK = 0x000f_ffff_ffff_ffc0L;
    /** {@code STRTAB_BASE_RA}, bit 62. */
    public static final long STRTAB_BASE_RA = 1L << 62;
    /** {@code STRTAB_BASE_CFG_LOG2SIZE} [5:0]. */
    public static final int STRTAB_BASE_CFG_LOG2SIZE = 0x3f;
    /** {@code STRTAB_BASE_CFG_SPLIT} shift ([10:6]). */
    public static final int STRTAB_BASE_CFG_SPLIT_SHIFT = 6;
    /** {@code STRTAB_BASE_CFG_FMT} shift ([17:16]); 0 linear, 1 2-level. */
    public static final int STRTAB_BASE_CFG_FMT_SHIFT = 16;
    /** {@code STRTAB_BASE_CFG_FMT_2LVL}. */
    public static final int STRTAB_BASE_CFG_FMT_2LVL = 1 << 16;
    /** {@code STRTAB_L1_DESC_SPAN} [4:0]. */
    public static final long STRTAB_L1_DESC_SPAN = 0x1f;
    /** {@code STRTAB_L1_DESC_L2PTR_MASK} [51:6]. */
    public static final long STRTAB_L1_DESC_L2PTR_MASK = 0x000f_ffff_ffff_ffc0L;

    private SmmuRegisters() {
    }
}
