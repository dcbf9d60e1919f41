package dev.faultline.smmuv3.internal;

import dev.faultline.platform.memory.FrameAllocator;
import dev.faultline.platform.memory.PhysicalMemory;
import dev.faultline.platform.smmuv3.Command;
import dev.faultline.platform.smmuv3.ContextDescriptor;

/**
 * One stream's context descriptor table (IHI 0070 §5.4): Linux's layout, two-level with 1024-CD leaves
 * (S1Fmt 2, {@code CTXDESC_SPLIT} = 10) when the SMMU has CD2L, else linear; a single CD when the SMMU has no
 * SubstreamIDs. A CD whose TTB0 or ASID changes while valid is first made invalid, as Linux does; every step is
 * followed by CMD_CFGI_CD and CMD_SYNC.
 *
 * <p>Not thread-safe: the driver serializes configuration changes.
 */
final class ContextTable {
    private final PhysicalMemory memory;
    private final FrameAllocator frames;
    private final CommandQueue commands;
    private final int sid;
    private final int cdMax;
    private final int fmt;
    private final long base;

    /**
     * A table for {@code ssidBits} of SubstreamID (at most 20; 0 for a single CD).
     */
    ContextTable(PhysicalMemory memory, FrameAllocator frames, CommandQueue commands, int sid, int ssidBits,
            boolean twoLevel) {
        this.memory = memory;
        this.frames = frames;
        this.commands = commands;
        this.sid = sid;
        if (ssidBits == 0) {
            cdMax = 0;
            fmt = 0;
            base = frames.allocate(ContextDescriptor.BYTES, ContextDescriptor.BYTES);
        } else if (twoLevel && ssidBits > ContextDescriptor.SPLIT_64K) {
            cdMax = ssidBits;
            fmt = 2;
            long l1Bytes = 8L << (ssidBits - ContextDescriptor.SPLIT_64K);
            base = frames.allocate(l1Bytes, Math.max(l1Bytes, 64));
        } else {
            cdMax = Math.min(ssidBits, ContextDescriptor.SPLIT_64K);
            fmt = 0;
            long bytes = (long) ContextDescriptor.BYTES << cdMax;
            base = frames.allocate(bytes, bytes);
        }
    }

    /** STE.S1ContextPtr. */
    long base() {
        return base;
    }

    /** STE.S1Fmt. */
    int format() {
        return fmt;
    }

    /** STE.S1CDMax. */
    int cdMax() {
        return cdMax;
    }

    /** Whether {@code ssid} has a CD slot. */
    boolean holds(int ssid) {
        return ssid >= 0 && ssid < 1L << cdMax;
    }

    /** Writes the CD of {@code ssid}. */
    void write(int ssid, ContextDescriptor cd) {
        long at = address(ssid);
        long[] next = cd.encode();
        long now0 = memory.read64(at);
        boolean valid = (now0 >>> 31 & 1) != 0;
        boolean changes = false;
        for (int i = 1; i < next.length; i++) {
            changes |= memory.read64(at + 8L * i) != next[i];
        }
        if (valid && (changes || (now0 >>> 48) != (next[0] >>> 48))) {
            memory.write64(at, 0); // V = 0 while TTB0 / ASID change
            invalidate(ssid);
        }
        for (int i = 1; i < next.length; i++) {
            memory.write64(at + 8L * i, next[i]);
        }
        memory.write64(at, next[0]);
        invalidate(ssid);
    }

    /** Makes the CD of {@code ssid} invalid. */
    void clear(int ssid) {
        memory.write64(address(ssid), 0);
        invalidate(ssid);
    }

    private void invalidate(int ssid) {
        Command.ConfigInvalidation c = Command.ConfigInvalidation.cd(sid, ssid);
        commands.issueAndSync(c.dw0(), c.dw1());
    }

    private long address(int ssid) {
        if (fmt != 2) {
            return base + (long) ContextDescriptor.BYTES * ssid;
        }
        long l1 = base + 8L * (ssid >>> ContextDescriptor.SPLIT_64K);
        long desc = memory.read64(l1);
        if ((desc & ContextDescriptor.L1_DESC_V) == 0) {
            long bytes = (long) ContextDescriptor.BYTES << ContextDescriptor.SPLIT_64K;
            long leaf = frames.allocate(bytes, 4096);
            desc = ContextDescriptor.l1Descriptor(leaf);
            memory.write64(l1, desc);
        }
        return (desc & ContextDescriptor.L1_DESC_L2PTR_MASK)
                + (long) ContextDescriptor.BYTES * (ssid & ((1 << ContextDescriptor.SPLIT_64K) - 1));
    }
}
