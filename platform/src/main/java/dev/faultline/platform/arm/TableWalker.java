package dev.faultline.platform.arm;

import dev.faultline.platform.dma.AccessType;
import dev.faultline.platform.memory.PhysicalMemory;
import java.util.Objects;
import java.util.function.LongPredicate;

/**
 * Walks VMSAv8-64 4 KiB-granule tables in {@link PhysicalMemory} exactly as Arm ARM VMSAv8-64 describes: levels
 * 0-3, table / block / page descriptors, stage-1 AP[2:1], UXN/PXN and hierarchical table controls, stage-2
 * S2AP and XN, the access flag (fault, AFFD or hardware update) and hardware dirty state, and reports the
 * first fault in the architecture's order (§1.7, IHI 0070 §7.3.22) with its level.
 *
 * <p>Thread-safe; it holds no state between walks.
 */
public final class TableWalker {
    private final PhysicalMemory memory;
    private final LongPredicate externalAbort;

    /**
     * A walker over {@code memory}.
     *
     * @param externalAbort physical addresses whose access gets an external abort (a bus error), e.g. a hole
     *     in the memory map; {@code a -> false} for none
     */
    public TableWalker(PhysicalMemory memory, LongPredicate externalAbort) {
        this.memory = Objects.requireNonNull(memory, "memory");
        this.externalAbort = Objects.requireNonNull(externalAbort, "externalAbort");
    }

    /** A walker over memory without holes. */
    public TableWalker(PhysicalMemory memory) {
        this(memory, a -> false);
    }

    /**
     * Translates {@code address} for one access.
     *
     * @param p the stage's parameters
     * @param address the input address (VA at stage 1, IPA at stage 2)
     * @param type read, write or instruction fetch
     * @param privileged whether the access is privileged (stage-1 permissions only)
     * @param tables how descriptor addresses become physical ({@link TableAddressTranslator#IDENTITY} unless
     *     nested)
     */
    public WalkResult walk(WalkParameters p, long address, AccessType type, boolean privileged,
            TableAddressTranslator tables) {
        WalkOutcome outcome = new WalkOutcome();
        walk(p, address, type, privileged, tables, outcome);
        return outcome.result();
    }

    /**
     * {@link #walk(WalkParameters, long, AccessType, boolean, TableAddressTranslator)} into a reusable carrier
     * instead of a new {@link WalkResult}: allocates nothing.
     *
     * @param out where the outcome goes (overwritten)
     * @return whether the walk translated ({@code out.translated()})
     * @since 1.1
     */
    public boolean walk(WalkParameters p, long address, AccessType type, boolean privileged,
            TableAddressTranslator tables, WalkOutcome out) {
        long input = p.topByteIgnore() ? address & 0x00ff_ffff_ffff_ffffL : address;
        if (p.walksDisabled() || (p.inputBits() < 64 && (input >>> p.inputBits()) != 0)) {
            return out.fault(FaultKind.TRANSLATION, 0, 0, 0);
        }
        long table = p.tableBase();
        long tableControls = 0; // accumulated APTable / XNTable bits (stage 1)
        for (int level = p.startLevel(); level <= 3; level++) {
            int shift = Descriptor.levelShift(level);
            int bits = level == p.startLevel() ? p.topIndexBits() : 9;
            long index = (input >>> shift) & ((1L << bits) - 1);
            long entry = table + index * 8;
            long pa = tables.translate(entry, false);
            if (pa == TableAddressTranslator.FAULT) {
                return out.fault(FaultKind.TABLE_ADDRESS, level, 0, 0);
            }
            if (externalAbort.test(pa)) {
                return out.fault(FaultKind.EXTERNAL_ABORT, level, 0, pa);
            }
            long d = memory.read64(pa);
            if (!Descriptor.valid(d)) {
                return out.fault(FaultKind.TRANSLATION, level, d, pa);
            }
            long kind = d & Descriptor.TYPE_MASK;
            if (level < 3 && kind == Descriptor.TYPE_TABLE) {
                long next = d & Descriptor.ADDR_MASK;
                if ((next >>> p.outputBits()) != 0) {
                    return out.fault(FaultKind.ADDRESS_SIZE, level, d, pa);
                }
                if (p.stage() == Stage.STAGE1) {
                    tableControls |= d & (Descriptor.PXN_TABLE | Descriptor.UXN_TABLE | Descriptor.AP_TABLE_NO_EL0
                            | Descriptor.AP_TABLE_RDONLY);
                }
                table = next;
                continue;
            }
            if ((level == 0) || (level == 3 && kind != Descriptor.TYPE_PAGE)) {
                // no level-0 blocks with the 4 KiB granule; type 01 is reserved at level 3
                return out.fault(FaultKind.TRANSLATION, level, d, pa);
            }
            return leaf(p, input, type, privileged, tables, level, entry, pa, d, tableControls, out);
        }
        throw new AssertionError("a walk always ends at level 3");
    }

    private boolean leaf(WalkParameters p, long input, AccessType type, boolean privileged,
            TableAddressTranslator tables, int level, long entry, long pa, long d, long tableControls,
            WalkOutcome out) {
        long size = Descriptor.entrySize(level);
        long output = d & Descriptor.ADDR_MASK & ~(size - 1);
        if ((output >>> p.outputBits()) != 0) {
            return out.fault(FaultKind.ADDRESS_SIZE, level, d, pa);
        }
        long updated = d;
        if ((d & Descriptor.AF) == 0) {
            if (p.hardwareAccessFlag()) {
                updated |= Descriptor.AF;
            } else if (!p.accessFlagFaultsDisabled()) {
                return out.fault(FaultKind.ACCESS_FLAG, level, d, pa);
            }
        }
        int verdict = p.stage() == Stage.STAGE1
                ? stage1Permits(d, tableControls, type, privileged, p.hardwareDirty())
                : stage2Permits(d, type, p.hardwareDirty());
        if (verdict == DENY) {
            return out.fault(FaultKind.PERMISSION, level, d, pa);
        }
        if (verdict == ALLOW_MAKING_DIRTY) {
            updated = p.stage() == Stage.STAGE1 ? updated & ~Descriptor.AP_RDONLY : updated | Descriptor.HAP_WRITE;
        }
        if (updated != d) {
            long target = tables.translate(entry, true);
            if (target == TableAddressTranslator.FAULT) {
                return out.set(FaultKind.TABLE_ADDRESS, level, 0, d, pa, 0, true);
            }
            if (externalAbort.test(target)) {
                return out.fault(FaultKind.EXTERNAL_ABORT, level, d, target);
            }
            // Hardware update: atomic; if software changed the descriptor meanwhile, its value stands.
            memory.compareAndSet(target, d, updated);
        }
        return out.translated(level, output | (input & (size - 1)), updated, pa, size);
    }

    private static final int DENY = 0;
    private static final int ALLOW = 1;
    private static final int ALLOW_MAKING_DIRTY = 2;

    /** AP[2:1], UXN/PXN and the hierarchical table bits (Arm ARM stage-1 attributes). */
    private static int stage1Permits(long d, long tableControls, AccessType type, boolean privileged,
            boolean hardwareDirty) {
        boolean el0 = (d & Descriptor.AP_UNPRIV) != 0 && (tableControls & Descriptor.AP_TABLE_NO_EL0) == 0;
        boolean readOnly = (d & Descriptor.AP_RDONLY) != 0 || (tableControls & Descriptor.AP_TABLE_RDONLY) != 0;
        if (type == AccessType.INSTRUCTION_FETCH) {
            if (privileged) {
                // a location writable at EL0 is never executable at EL1 (implicit PXN)
                boolean pxn = (d & Descriptor.PXN) != 0 || (tableControls & Descriptor.PXN_TABLE) != 0
                        || (el0 && !readOnly);
                return pxn ? DENY : ALLOW;
            }
            boolean uxn = (d & Descriptor.UXN) != 0 || (tableControls & Descriptor.UXN_TABLE) != 0;
            return uxn ? DENY : ALLOW;
        }
        if (!privileged && !el0) {
            return DENY;
        }
        if (type == AccessType.WRITE && readOnly) {
            boolean dirtyable = hardwareDirty && (d & Descriptor.DBM) != 0
                    && (tableControls & Descriptor.AP_TABLE_RDONLY) == 0;
            return dirtyable ? ALLOW_MAKING_DIRTY : DENY;
        }
        return ALLOW;
    }

    /** S2AP and XN (Arm ARM stage-2 attributes; without the XNX extension only bit 54 matters). */
    private static int stage2Permits(long d, AccessType type, boolean hardwareDirty) {
        return switch (type) {
            case INSTRUCTION_FETCH -> (d & Descriptor.UXN) != 0 ? DENY : ALLOW;
            case READ -> (d & Descriptor.HAP_READ) != 0 ? ALLOW : DENY;
            case WRITE -> (d & Descriptor.HAP_WRITE) != 0 ? ALLOW
                    : hardwareDirty && (d & Descriptor.DBM) != 0 ? ALLOW_MAKING_DIRTY : DENY;
        };
    }
}
