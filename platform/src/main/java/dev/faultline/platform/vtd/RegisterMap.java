package dev.faultline.platform.vtd;

/**
 * Offsets and bits of the VT-d remapping unit's registers (VT-d register map; Linux
 * {@code intel/iommu.h} names in the comments). The fault recording registers sit at
 * {@link Capability#faultRecordingOffset()} + 16 × index.
 */
public final class RegisterMap {
    /** DMAR_VER_REG, 32 bits: major [7:4], minor [3:0]. */
    public static final int VER = 0x000;
    /** DMAR_CAP_REG, 64 bits. */
    public static final int CAP = 0x008;
    /** DMAR_ECAP_REG, 64 bits. */
    public static final int ECAP = 0x010;
    /** DMAR_GCMD_REG, 32 bits. */
    public static final int GCMD = 0x018;
    /** DMAR_GSTS_REG, 32 bits. */
    public static final int GSTS = 0x01c;
    /** DMAR_RTADDR_REG, 64 bits: root table [63:12], TTM [11:10]. */
    public static final int RTADDR = 0x020;
    /** DMAR_CCMD_REG, 64 bits. */
    public static final int CCMD = 0x028;
    /** DMAR_FSTS_REG, 32 bits. */
    public static final int FSTS = 0x034;
    /** DMAR_FECTL_REG, 32 bits. */
    public static final int FECTL = 0x038;
    /** DMAR_FEDATA_REG, 32 bits. */
    public static final int FEDATA = 0x03c;
    /** DMAR_FEADDR_REG, 32 bits. */
    public static final int FEADDR = 0x040;
    /** DMAR_FEUADDR_REG, 32 bits. */
    public static final int FEUADDR = 0x044;
    /** DMAR_IQH_REG, 64 bits: invalidation queue head, byte offset. */
    public static final int IQH = 0x080;
    /** DMAR_IQT_REG, 64 bits: invalidation queue tail, byte offset. */
    public static final int IQT = 0x088;
    /** DMAR_IQA_REG, 64 bits: base [63:12], DW bit 11, QS [2:0]. */
    public static final int IQA = 0x090;
    /** DMAR_ICS_REG, 32 bits: IWC bit 0. */
    public static final int ICS = 0x09c;
    /** Invalidation event control, 32 bits: IM bit 31, IP bit 30. */
    public static final int IECTL = 0x0a0;
    /** DMAR_IQER_REG, 64 bits. */
    public static final int IQER = 0x0b0;
    /** DMAR_PQH_REG, 64 bits: page request queue head, byte offset. */
    public static final int PQH = 0x0c0;
    /** DMAR_PQT_REG, 64 bits: page request queue tail, byte offset. */
    public static final int PQT = 0x0c8;
    /** DMAR_PQA_REG, 64 bits: base [63:12], PQS [2:0]. */
    public static final int PQA = 0x0d0;
    /** DMAR_PRS_REG, 32 bits: PPR bit 0, PRO bit 1. */
    public static final int PRS = 0x0dc;
    /** DMAR_PECTL_REG, 32 bits: IM bit 31, IP bit 30. */
    public static final int PECTL = 0x0e0;
    /** Size of the register block the model decodes (FRCDs included when FRO places them below it). */
    public static final int SIZE = 0x1000;

    /** GCMD/GSTS bit 31: TE / TES, translation enable (DMA_GCMD_TE). */
    public static final int GCMD_TE = 1 << 31;
    /** GCMD/GSTS bit 30: SRTP / RTPS, set root table pointer (DMA_GCMD_SRTP). */
    public static final int GCMD_SRTP = 1 << 30;
    /** GCMD/GSTS bit 26: QIE / QIES, queued invalidation enable (DMA_GCMD_QIE). */
    public static final int GCMD_QIE = 1 << 26;
    /** RTADDR TTM = 01: scalable mode (DMA_RTADDR_SMT). */
    public static final long RTADDR_SMT = 1L << 10;
    /** RTADDR TTM field [11:10]. */
    public static final long RTADDR_TTM_MASK = 3L << 10;

    /** FSTS bit 0 PFO, RW1C (DMA_FSTS_PFO). */
    public static final int FSTS_PFO = 1 << 0;
    /** FSTS bit 1 PPF, RO (DMA_FSTS_PPF). */
    public static final int FSTS_PPF = 1 << 1;
    /** FSTS bit 2 AFO, RW1C. */
    public static final int FSTS_AFO = 1 << 2;
    /** FSTS bit 3 APF, RW1C. */
    public static final int FSTS_APF = 1 << 3;
    /** FSTS bit 4 IQE, RW1C (DMA_FSTS_IQE). */
    public static final int FSTS_IQE = 1 << 4;
    /** FSTS bit 5 ICE, RW1C (DMA_FSTS_ICE). */
    public static final int FSTS_ICE = 1 << 5;
    /** FSTS bit 6 ITE, RW1C (DMA_FSTS_ITE). */
    public static final int FSTS_ITE = 1 << 6;
    /** FSTS bit 7 PRO (DMA_FSTS_PRO): older revisions; this model reports overflow in PRS.PRO. */
    public static final int FSTS_PRO = 1 << 7;
    /** FSTS FRI field [15:8] shift. */
    public static final int FSTS_FRI_SHIFT = 8;

    /** FECTL/PECTL/IECTL bit 31: IM, interrupt mask (DMA_FECTL_IM). */
    public static final int EVENT_IM = 1 << 31;
    /** FECTL/PECTL/IECTL bit 30: IP, interrupt pending. */
    public static final int EVENT_IP = 1 << 30;

    /** PRS bit 0 PPR, RW1C (DMA_PRS_PPR). */
    public static final int PRS_PPR = 1 << 0;
    /** PRS bit 1 PRO, RW1C (DMA_PRS_PRO). */
    public static final int PRS_PRO = 1 << 1;

    /** ICS bit 0 IWC, RW1C. */
    public static final int ICS_IWC = 1 << 0;
    /** IQA bit 11 DW: 256-bit descriptors. */
    public static final long IQA_DW = 1L << 11;
    /** IQA/PQA QS/PQS field [2:0]. */
    public static final long QUEUE_SIZE_MASK = 0x7;
    /** IQA/PQA base [63:12]. */
    public static final long QUEUE_BASE_MASK = ~0xfffL;

    /** FRCD +12 dword bit 31: F, RW1C (DMA_FRCD_F). */
    public static final int FRCD_F = 1 << 31;
    /** Bytes per fault recording register (PRIMARY_FAULT_REG_LEN). */
    public static final int FRCD_LENGTH = 16;

    private RegisterMap() {
    }
}
