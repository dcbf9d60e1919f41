package dev.faultline.smmuv3.internal;

import dev.faultline.platform.memory.FrameAllocator;
import dev.faultline.platform.memory.PhysicalMemory;
import dev.faultline.platform.smmuv3.Command;
import dev.faultline.platform.smmuv3.Smmu;
import dev.faultline.platform.smmuv3.SmmuRegisters;
import dev.faultline.platform.smmuv3.StreamTableEntry;

/**
 * The driver's stream table (IHI 0070 §5.2): two-level with Linux's {@code STRTAB_SPLIT} = 8 when the SMMU
 * supports it (level-2 tables of 256 STEs allocated when a stream first needs one), else linear. An update of a
 * live entry that changes one dword other than dword 0 is one store; one that changes more goes through a silent
 * abort (V = 1, Config = abort) so that no transaction sees a half-written entry; every step is followed by
 * CMD_CFGI_STE and CMD_SYNC.
 *
 * <p>Not thread-safe: the driver serializes configuration changes.
 */
final class StreamTable {
    /** Linux {@code STRTAB_SPLIT}. */
    static final int SPLIT = 8;

    private final Smmu smmu;
    private final PhysicalMemory memory;
    private final FrameAllocator frames;
    private final CommandQueue commands;
    private long base;
    private boolean twoLevel;
    private int log2;

    StreamTable(Smmu smmu, FrameAllocator frames, CommandQueue commands) {
        this.smmu = smmu;
        this.memory = smmu.memory();
        this.frames = frames;
        this.commands = commands;
    }

    /** Allocates a new table for {@code sidBits} StreamIDs; returns STRTAB_BASE and STRTAB_BASE_CFG to program. */
    long[] create(int sidBits, boolean twoLevelSupported) {
        log2 = sidBits;
        twoLevel = twoLevelSupported && sidBits > SPLIT;
        if (twoLevel) {
            long l1Bytes = 8L << (sidBits - SPLIT);
            base = frames.allocate(l1Bytes, Math.max(l1Bytes, 64));
            return new long[] {base | SmmuRegisters.STRTAB_BASE_RA,
                SmmuRegisters.STRTAB_BASE_CFG_FMT_2LVL | SPLIT << SmmuRegisters.STRTAB_BASE_CFG_SPLIT_SHIFT | sidBits};
        }
        long bytes = (long) StreamTableEntry.BYTES << sidBits;
        base = frames.allocate(bytes, Math.max(bytes, 64));
        return new long[] {base | SmmuRegisters.STRTAB_BASE_RA, sidBits};
    }

    /** Adopts the table a previous driver left programmed. */
    void adopt(long strtabBase, int strtabCfg) {
        base = strtabBase & SmmuRegisters.STRTAB_BASE_ADDR_MASK;
        log2 = strtabCfg & SmmuRegisters.STRTAB_BASE_CFG_LOG2SIZE;
        twoLevel = (strtabCfg >>> SmmuRegisters.STRTAB_BASE_CFG_FMT_SHIFT & 3) == 1;
    }

    /** Whether {@code sid} fits the table. */
    boolean covers(int sid) {
        return (sid & 0xffff_ffffL) < 1L << log2;
    }

    /** The STE now in memory for {@code sid} (invalid if it has no level-2 table yet). */
    StreamTableEntry read(int sid) {
        long at = address(sid, false);
        long[] d = new long[StreamTableEntry.DWORDS];
        if (at >= 0) {
            for (int i = 0; i < d.length; i++) {
                d[i] = memory.read64(at + 8L * i);
            }
        }
        return StreamTableEntry.decode(d);
    }

    /** Writes {@code ste} for {@code sid}: hitless when possible, else through a silent abort. */
    void write(int sid, StreamTableEntry ste) {
        long at = address(sid, true);
        long[] next = ste.encode();
        long[] now = new long[StreamTableEntry.DWORDS];
        for (int i = 0; i < now.length; i++) {
            now[i] = memory.read64(at + 8L * i);
        }
        boolean live = (now[0] & 1) != 0;
        boolean restChanges = false;
        int changed = 0;
        int last = -1;
        for (int i = 0; i < next.length; i++) {
            if (now[i] != next[i]) {
                changed++;
                last = i;
            }
            restChanges |= i > 0 && now[i] != next[i];
        }
        if (changed == 0) {
            return; // nothing to invalidate
        }
        if (live && changed == 1 && last > 0) {
            // one dword: a single-copy atomic store shows the SMMU the old or the new entry, never a mix (hitless,
            // as Linux's arm_smmu_write_entry does when one qword changes)
            memory.write64(at + 8L * last, next[last]);
            invalidate(sid);
            return;
        }
        if (live && restChanges && now[0] != 1) {
            memory.write64(at, 1); // V = 1, Config = abort: traffic aborts silently meanwhile
            invalidate(sid);
        }
        for (int i = 1; i < next.length; i++) {
            memory.write64(at + 8L * i, next[i]);
        }
        if (restChanges) {
            invalidate(sid);
        }
        memory.write64(at, next[0]);
        invalidate(sid);
    }

    private void invalidate(int sid) {
        Command.ConfigInvalidation c = Command.ConfigInvalidation.ste(sid);
        commands.issueAndSync(c.dw0(), c.dw1());
    }

    private long address(int sid, boolean allocate) {
        long s = sid & 0xffff_ffffL;
        if (!twoLevel) {
            return base + StreamTableEntry.BYTES * s;
        }
        long l1 = base + 8 * (s >>> SPLIT);
        long desc = memory.read64(l1);
        if ((desc & SmmuRegisters.STRTAB_L1_DESC_SPAN) == 0) {
            if (!allocate) {
                return -1;
            }
            long bytes = (long) StreamTableEntry.BYTES << SPLIT;
            long l2 = frames.allocate(bytes, bytes);
            desc = l2 | (SPLIT + 1); // Span = SPLIT + 1: 2^SPLIT STEs
            memory.write64(l1, desc);
        }
        return (desc & SmmuRegisters.STRTAB_L1_DESC_L2PTR_MASK) + StreamTableEntry.BYTES * (s & ((1 << SPLIT) - 1));
    }
}
