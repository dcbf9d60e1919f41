package dev.faultline.platform.smmuv3;

/**
 * An SMMUv3 command queue entry: 2 dwords, 16 bytes (IHI 0070 §4; Linux {@code CMDQ_*}).
 * {@link #decode} reads any entry; each record encodes itself, and the static {@code dw0}/{@code dw1} methods of
 * the response commands encode without allocating.
 */
public sealed interface Command {
    /** {@code CMDQ_ENT_DWORDS}. */
    int DWORDS = 2;
    /** Entry size in bytes. */
    int BYTES = 16;
    /** {@code CMDQ_OP_PREFETCH_CFG}. */
    int OP_PREFETCH_CFG = 0x01;
    /** {@code CMDQ_OP_CFGI_STE}. */
    int OP_CFGI_STE = 0x03;
    /** {@code CMDQ_OP_CFGI_ALL} (CMD_CFGI_STE_RANGE; Range 31 = all). */
    int OP_CFGI_ALL = 0x04;
    /** {@code CMDQ_OP_CFGI_CD}. */
    int OP_CFGI_CD = 0x05;
    /** {@code CMDQ_OP_CFGI_CD_ALL}. */
    int OP_CFGI_CD_ALL = 0x06;
    /** {@code CMDQ_OP_TLBI_NH_ALL}. */
    int OP_TLBI_NH_ALL = 0x10;
    /** {@code CMDQ_OP_TLBI_NH_ASID}. */
    int OP_TLBI_NH_ASID = 0x11;
    /** {@code CMDQ_OP_TLBI_NH_VA}. */
    int OP_TLBI_NH_VA = 0x12;
    /** {@code CMDQ_OP_TLBI_S12_VMALL}. */
    int OP_TLBI_S12_VMALL = 0x28;
    /** {@code CMDQ_OP_TLBI_S2_IPA}. */
    int OP_TLBI_S2_IPA = 0x2A;
    /** {@code CMDQ_OP_TLBI_NSNH_ALL}. */
    int OP_TLBI_NSNH_ALL = 0x30;
    /** {@code CMDQ_OP_ATC_INV}. */
    int OP_ATC_INV = 0x40;
    /** {@code CMDQ_OP_PRI_RESP}. */
    int OP_PRI_RESP = 0x41;
    /** {@code CMDQ_OP_RESUME}. */
    int OP_RESUME = 0x44;
    /** CMD_STALL_TERM (Linux never issues it). */
    int OP_STALL_TERM = 0x45;
    /** {@code CMDQ_OP_CMD_SYNC}. */
    int OP_CMD_SYNC = 0x46;
    /** {@code CMDQ_0_SSV}. */
    long CMDQ_0_SSV = 1L << 11;

    /** The opcode (dw0 [7:0]). */
    int opcode();

    /** dw0. */
    long dw0();

    /** dw1. */
    long dw1();

    /** The opcode of a raw dw0. */
    static int opcode(long dw0) {
        return (int) (dw0 & 0xff);
    }

    /** Decodes one entry; opcodes this model does not know become {@link Unknown}. */
    static Command decode(long dw0, long dw1) {
        int op = opcode(dw0);
        int sid = (int) (dw0 >>> 32);
        int ssid = (int) (dw0 >>> 12) & 0xfffff;
        return switch (op) {
            // Leaf (bit 0) and Range ([4:0]) share dw1: Range only for CFGI_STE_RANGE / CFGI_ALL
            case OP_CFGI_ALL -> new ConfigInvalidation(op, sid, ssid, false, (int) (dw1 & 0x1f));
            case OP_PREFETCH_CFG, OP_CFGI_STE, OP_CFGI_CD, OP_CFGI_CD_ALL -> new ConfigInvalidation(op, sid, ssid,
                    (dw1 & 1) != 0, 0);
            case OP_TLBI_NH_ALL, OP_TLBI_NH_ASID, OP_TLBI_NH_VA, 0x13, 0x18, 0x1A, 0x20, 0x21, 0x22, 0x23,
                    OP_TLBI_S12_VMALL, OP_TLBI_S2_IPA, OP_TLBI_NSNH_ALL, OP_ATC_INV -> new Invalidation(dw0, dw1);
            case OP_PRI_RESP -> new PriResponse(sid, (dw0 & CMDQ_0_SSV) != 0, ssid, (int) (dw1 & 0x1ff),
                    (int) (dw1 >>> 12) & 3);
            case OP_RESUME -> new Resume(sid, (int) (dw1 & 0xffff), (dw0 & Resume.AC) != 0, (dw0 & Resume.AB) != 0);
            case OP_STALL_TERM -> new StallTerm(sid);
            case OP_CMD_SYNC -> new Sync((int) (dw0 >>> 12) & 3, (int) (dw0 >>> 22) & 3, (int) (dw0 >>> 24) & 0xf,
                    (int) (dw0 >>> 32), dw1 & Sync.MSIADDR_MASK);
            default -> new Unknown(dw0, dw1);
        };
    }

    /**
     * CMD_RESUME 0x44 (IHI 0070 §4.7.1): retry or terminate one stalled transaction.
     *
     * @param sid the StreamID
     * @param stag the STAG from the stall event
     * @param retry Ac (dw0 bit 12): retry; Ab is then ignored
     * @param abort Ab (dw0 bit 13): with Ac = 0, terminate with abort (else RAZ/WI)
     */
    record Resume(int sid, int stag, boolean retry, boolean abort) implements Command {
        /** Ac, dw0 bit 12 ({@code CMDQ_RESUME_0_RESP_RETRY} = 1 in the 2-bit field). */
        public static final long AC = 1L << 12;
        /** Ab, dw0 bit 13 ({@code CMDQ_RESUME_0_RESP_ABORT} = 2 in the 2-bit field). */
        public static final long AB = 1L << 13;

        @Override
        public int opcode() {
            return OP_RESUME;
        }

        /** dw0 of a CMD_RESUME. */
        public static long dw0(int sid, boolean retry, boolean abort) {
            return OP_RESUME | (retry ? AC : 0) | (abort ? AB : 0) | ((sid & 0xffff_ffffL) << 32);
        }

        /** dw1 of a CMD_RESUME. */
        public static long dw1(int stag) {
            return stag & 0xffffL;
        }

        @Override
        public long dw0() {
            return dw0(sid, retry, abort);
        }

        @Override
        public long dw1() {
            return dw1(stag);
        }
    }

    /**
     * CMD_PRI_RESP 0x41 (IHI 0070 §4.5.2): answer a PRI page request group.
     *
     * @param sid the StreamID
     * @param ssv whether the response carries the PASID
     * @param ssid the SubstreamID (PASID)
     * @param prgIndex the PRG index
     * @param resp {@link #DENY}, {@link #FAIL}, {@link #SUCCESS} (3 is illegal)
     */
    record PriResponse(int sid, boolean ssv, int ssid, int prgIndex, int resp) implements Command {
        /** {@code PRI_RESP_DENY} = 0: IHI ResponseFailure, PCIe 0b1111. */
        public static final int DENY = 0;
        /** {@code PRI_RESP_FAIL} = 1: IHI InvalidRequest, PCIe 0b0001. */
        public static final int FAIL = 1;
        /** {@code PRI_RESP_SUCC} = 2: IHI Success, PCIe 0b0000. */
        public static final int SUCCESS = 2;

        @Override
        public int opcode() {
            return OP_PRI_RESP;
        }

        /** dw0 of a CMD_PRI_RESP. */
        public static long dw0(int sid, boolean ssv, int ssid) {
            return OP_PRI_RESP | (ssv ? CMDQ_0_SSV : 0) | ((long) (ssid & 0xfffff) << 12) | ((sid & 0xffff_ffffL) << 32);
        }

        /** dw1 of a CMD_PRI_RESP. */
        public static long dw1(int prgIndex, int resp) {
            return (prgIndex & 0x1ffL) | ((long) (resp & 3) << 12);
        }

        @Override
        public long dw0() {
            return dw0(sid, ssv, ssid);
        }

        @Override
        public long dw1() {
            return dw1(prgIndex, resp);
        }

        /**
         * The PCIe PRG Response code the SMMU sends for {@code resp} (IHI 0070 §4 table), or -1 for the illegal
         * value 3.
         */
        public static int pcieCode(int resp) {
            return switch (resp) {
                case DENY -> 0b1111;
                case FAIL -> 0b0001;
                case SUCCESS -> 0b0000;
                default -> -1;
            };
        }
    }

    /**
     * CMD_SYNC 0x46 (IHI 0070 §4.7.3).
     *
     * @param cs completion signal: 0 none, 1 IRQ (MSI write), 2 SEV
     * @param msh MSI shareability
     * @param msiAttr MSI memory attributes
     * @param msiData the 32-bit MSI payload
     * @param msiAddress the MSI address ([51:2])
     */
    record Sync(int cs, int msh, int msiAttr, int msiData, long msiAddress) implements Command {
        /** {@code CMDQ_SYNC_0_CS_NONE}. */
        public static final int CS_NONE = 0;
        /** {@code CMDQ_SYNC_0_CS_IRQ}. */
        public static final int CS_IRQ = 1;
        /** {@code CMDQ_SYNC_0_CS_SEV}. */
        public static final int CS_SEV = 2;
        /** {@code CMDQ_SYNC_1_MSIADDR_MASK}: [51:2]. */
        public static final long MSIADDR_MASK = 0x000f_ffff_ffff_fffcL;
        /** {@code ARM_SMMU_SH_ISH}. */
        public static final int SH_ISH = 3;
        /** {@code ARM_SMMU_MEMATTR_OIWB}. */
        public static final int MEMATTR_OIWB = 0xf;

        /** The CMD_SYNC Linux builds without MSI polling: CS = SEV, MSH = ISH, MSIAttr = OIWB. */
        public static Sync sev() {
            return new Sync(CS_SEV, SH_ISH, MEMATTR_OIWB, 0, 0);
        }

        /** The CMD_SYNC Linux builds with MSI polling: CS = IRQ writing {@code data} to {@code address}. */
        public static Sync msi(long address, int data) {
            return new Sync(CS_IRQ, SH_ISH, MEMATTR_OIWB, data, address);
        }

        @Override
        public int opcode() {
            return OP_CMD_SYNC;
        }

        /** dw0 of a CMD_SYNC. */
        public static long dw0(int cs, int msh, int msiAttr, int msiData) {
            return OP_CMD_SYNC | ((long) (cs & 3) << 12) | ((long) (msh & 3) << 22) | ((long) (msiAttr & 0xf) << 24)
                    | ((msiData & 0xffff_ffffL) << 32);
        }

        @Override
        public long dw0() {
            return dw0(cs, msh, msiAttr, msiData);
        }

        @Override
        public long dw1() {
            return msiAddress & MSIADDR_MASK;
        }
    }

    /**
     * CMD_PREFETCH_CONFIG, CMD_CFGI_STE, CMD_CFGI_STE_RANGE / CMD_CFGI_ALL, CMD_CFGI_CD, CMD_CFGI_CD_ALL
     * ({@code CMDQ_CFGI_0_SSID} [31:12], {@code CMDQ_CFGI_0_SID} [63:32], {@code CMDQ_CFGI_1_LEAF} bit 0,
     * {@code CMDQ_CFGI_1_RANGE} [4:0]).
     *
     * @param opcode one of the five opcodes
     * @param sid the StreamID
     * @param ssid the SubstreamID (CFGI_CD)
     * @param leaf Leaf
     * @param range Range (CFGI_STE_RANGE; 31 = all)
     */
    record ConfigInvalidation(int opcode, int sid, int ssid, boolean leaf, int range) implements Command {
        /** CMD_CFGI_ALL: opcode 0x04 with Range 31. */
        public static ConfigInvalidation all() {
            return new ConfigInvalidation(OP_CFGI_ALL, 0, 0, false, 31);
        }

        /** CMD_CFGI_STE for one stream. */
        public static ConfigInvalidation ste(int sid) {
            return new ConfigInvalidation(OP_CFGI_STE, sid, 0, true, 0);
        }

        /** CMD_CFGI_CD for one substream. */
        public static ConfigInvalidation cd(int sid, int ssid) {
            return new ConfigInvalidation(OP_CFGI_CD, sid, ssid, true, 0);
        }

        @Override
        public long dw0() {
            return opcode | ((long) (ssid & 0xfffff) << 12) | ((sid & 0xffff_ffffL) << 32);
        }

        @Override
        public long dw1() {
            return opcode == OP_CFGI_ALL ? range & 0x1f : (leaf ? 1 : 0);
        }
    }

    /**
     * A TLB or ATC invalidation (CMD_TLBI_*, CMD_ATC_INV), kept raw: the model has no TLB, so it completes at
     * once.
     *
     * @param dw0 dw0
     * @param dw1 dw1
     */
    record Invalidation(long dw0, long dw1) implements Command {
        @Override
        public int opcode() {
            return Command.opcode(dw0);
        }
    }

    /**
     * CMD_STALL_TERM 0x45 (IHI §4.7.2): terminate every stalled transaction of a stream with abort. Layout by
     * analogy with CMD_RESUME (StreamID dw0 [63:32], unverified, IHI 0070 §4).
     *
     * @param sid the StreamID
     */
    record StallTerm(int sid) implements Command {
        @Override
        public int opcode() {
            return OP_STALL_TERM;
        }

        @Override
        public long dw0() {
            return OP_STALL_TERM | ((sid & 0xffff_ffffL) << 32);
        }

        @Override
        public long dw1() {
            return 0;
        }
    }

    /**
     * An entry with an opcode this model does not implement: the SMMU stops with CERROR_ILL.
     *
     * @param dw0 dw0
     * @param dw1 dw1
     */
    record Unknown(long dw0, long dw1) implements Command {
        @Override
        public int opcode() {
            return Command.opcode(dw0);
        }
    }
}
