package dev.faultline.platform.smmuv3;

import dev.faultline.api.fault.Pasid;
import dev.faultline.platform.dma.PageRequestMessage;

/**
 * An SMMUv3 PRI queue entry: 2 dwords, 16 bytes (IHI 0070 §8; Linux {@code PRIQ_*}).
 *
 * @param sid the StreamID (dw0 [31:0]; StreamID[15:0] is the PCIe requester id)
 * @param ssid the SubstreamID (dw0 [51:32]); meaningful when {@code ssv}
 * @param privileged Priv (dw0 bit 58)
 * @param execute X (dw0 bit 59)
 * @param read R (dw0 bit 60)
 * @param write W (dw0 bit 61)
 * @param last Last (dw0 bit 62)
 * @param ssv the request had a PASID prefix (dw0 bit 63)
 * @param prgIndex the PRG index (dw1 [8:0])
 * @param pageAddress the page address (dw1 [63:12], in place)
 */
public record PriEntry(int sid, int ssid, boolean privileged, boolean execute, boolean read, boolean write,
        boolean last, boolean ssv, int prgIndex, long pageAddress) {

    /** {@code PRIQ_ENT_DWORDS}. */
    public static final int DWORDS = 2;
    /** Entry size in bytes. */
    public static final int BYTES = 16;
    /** {@code PRIQ_0_PERM_PRIV}. */
    public static final long PRIQ_0_PERM_PRIV = 1L << 58;
    /** {@code PRIQ_0_PERM_EXEC}. */
    public static final long PRIQ_0_PERM_EXEC = 1L << 59;
    /** {@code PRIQ_0_PERM_READ}. */
    public static final long PRIQ_0_PERM_READ = 1L << 60;
    /** {@code PRIQ_0_PERM_WRITE}. */
    public static final long PRIQ_0_PERM_WRITE = 1L << 61;
    /** {@code PRIQ_0_PRG_LAST}. */
    public static final long PRIQ_0_PRG_LAST = 1L << 62;
    /** {@code PRIQ_0_SSID_V}. */
    public static final long PRIQ_0_SSID_V = 1L << 63;
    /** {@code PRIQ_1_PRG_IDX}: [8:0]. */
    public static final long PRIQ_1_PRG_IDX = 0x1ff;
    /** {@code PRIQ_1_ADDR_MASK}: [63:12]. */
    public static final long PRIQ_1_ADDR_MASK = 0xffff_ffff_ffff_f000L;

    /**
     * Validates field widths.
     *
     * @throws IllegalArgumentException for a SubstreamID over 20 bits, a PRG index over 9 bits or an unaligned
     *     page address
     */
    public PriEntry {
        if ((ssid & ~0xfffff) != 0) {
            throw new IllegalArgumentException("SubstreamID 0x" + Integer.toHexString(ssid) + " exceeds 20 bits");
        }
        if ((prgIndex & ~PRIQ_1_PRG_IDX) != 0) {
            throw new IllegalArgumentException("PRG index " + prgIndex + " exceeds 9 bits");
        }
        if ((pageAddress & ~PRIQ_1_ADDR_MASK) != 0) {
            throw new IllegalArgumentException(String.format("page address 0x%x is not 4 KiB aligned", pageAddress));
        }
    }

    /** The entry the SMMU writes for a Page Request from {@code sid}. */
    public static PriEntry of(int sid, PageRequestMessage m) {
        return new PriEntry(sid, m.hasPasid() ? m.pasid() : 0, m.privileged(), m.execute(), m.read(), m.write(),
                m.last(), m.hasPasid(), m.prgIndex(), m.pageAddress());
    }

    /**
     * Writes the entry the SMMU writes for a Page Request from {@code sid} ({@link #of}) into {@code words} (dw0, dw1)
     * without building it.
     */
    static void words(int sid, PageRequestMessage m, long[] words) {
        boolean ssv = m.hasPasid();
        words[0] = dw0(sid, ssv ? m.pasid() : 0, m.privileged(), m.execute(), m.read(), m.write(), m.last(), ssv);
        words[1] = m.pageAddress() | m.prgIndex();
    }

    /** Decodes an entry. */
    public static PriEntry decode(long dw0, long dw1) {
        return new PriEntry((int) dw0, (int) (dw0 >>> 32) & 0xfffff, (dw0 & PRIQ_0_PERM_PRIV) != 0,
                (dw0 & PRIQ_0_PERM_EXEC) != 0, (dw0 & PRIQ_0_PERM_READ) != 0, (dw0 & PRIQ_0_PERM_WRITE) != 0,
                (dw0 & PRIQ_0_PRG_LAST) != 0, (dw0 & PRIQ_0_SSID_V) != 0, (int) (dw1 & PRIQ_1_PRG_IDX),
                dw1 & PRIQ_1_ADDR_MASK);
    }

    /** dw0. */
    public long dw0() {
        return dw0(sid, ssid, privileged, execute, read, write, last, ssv);
    }

    private static long dw0(int sid, int ssid, boolean privileged, boolean execute, boolean read, boolean write,
            boolean last, boolean ssv) {
        return (sid & 0xffff_ffffL) | ((long) ssid << 32) | (privileged ? PRIQ_0_PERM_PRIV : 0)
                | (execute ? PRIQ_0_PERM_EXEC : 0) | (read ? PRIQ_0_PERM_READ : 0) | (write ? PRIQ_0_PERM_WRITE : 0)
                | (last ? PRIQ_0_PRG_LAST : 0) | (ssv ? PRIQ_0_SSID_V : 0);
    }

    /** dw1. */
    public long dw1() {
        return pageAddress | prgIndex;
    }

    /** The PASID, or {@link Pasid#NONE} when SSV = 0. */
    public int pasid() {
        return ssv ? ssid : Pasid.NONE;
    }

    /** A Stop Marker: Last, W, R = 1, 0, 0 with SSV = 1 (IHI 0070 §8). */
    public boolean stopMarker() {
        return ssv && last && !read && !write;
    }

    /**
     * The two lines Linux prints for an unexpected PRI request ({@code arm_smmu_handle_ppr}, IHI 0070 §8),
     * without the device prefix.
     */
    public String[] linuxLines() {
        return new String[] {
            "unexpected PRI request received:",
            String.format("\tsid 0x%08x.0x%05x: [%d%s] %sprivileged %s%s%s access at iova 0x%016x", sid,
                    ssv ? ssid : 0, prgIndex, last ? "L" : "", privileged ? "" : "un", read ? "R" : "",
                    write ? "W" : "", execute ? "X" : "", pageAddress)
        };
    }
}
