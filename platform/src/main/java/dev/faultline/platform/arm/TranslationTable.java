package dev.faultline.platform.arm;

import dev.faultline.platform.memory.FrameAllocator;
import dev.faultline.platform.memory.PhysicalMemory;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * A VMSAv8-64 4 KiB-granule translation table of one stage, built in {@link PhysicalMemory} the way
 * {@code io-pgtable-arm} builds it (Arm ARM VMSAv8-64): map, unmap and re-protect ranges, using 2 MiB and 1 GiB
 * blocks where address alignment allows and splitting blocks when part of one changes.
 *
 * <p>Stage 2 starts where Linux starts it: a would-be level-0 start with at most 16 entries concatenates
 * level-1 tables instead (Arm ARM stage-2 attributes, concatenation).
 *
 * <p>Thread-safe: updates are serialized, and every descriptor is written with one atomic 64-bit store, so a
 * concurrent hardware walk sees either the old or the new entry.
 */
public final class TranslationTable {
    private final FrameAllocator frames;
    private final PhysicalMemory memory;
    private final Stage stage;
    private final int inputBits;
    private final int startLevel;
    private final long root;
    /** The level of the leaf the last {@link #leafCovering} found (guarded by the table's lock). */
    private int coveringLevel;

    private TranslationTable(FrameAllocator frames, Stage stage, int inputBits, int startLevel) {
        this.frames = Objects.requireNonNull(frames, "frames");
        this.memory = frames.memory();
        this.stage = stage;
        this.inputBits = inputBits;
        this.startLevel = startLevel;
        int top = inputBits - Descriptor.levelShift(startLevel);
        long bytes = Math.max(8L << top, PhysicalMemory.PAGE_SIZE);
        this.root = frames.allocate(bytes, bytes);
        new WalkParameters(stage, root, inputBits, startLevel, WalkParameters.MAX_OUTPUT_BITS, false, false, false,
                false, false);
    }

    /**
     * An empty stage-1 table for {@code inputBits} of VA (T0SZ = 64 - inputBits).
     *
     * @throws IllegalArgumentException outside 25..48 bits (T0SZ 16..39)
     */
    public static TranslationTable stage1(FrameAllocator frames, int inputBits) {
        if (inputBits < 25 || inputBits > 48) {
            throw new IllegalArgumentException("stage-1 input size " + inputBits + " bits outside [25, 48]");
        }
        return new TranslationTable(frames, Stage.STAGE1, inputBits, WalkParameters.stage1StartLevel(inputBits));
    }

    /**
     * An empty stage-2 table for {@code inputBits} of IPA (S2T0SZ = 64 - inputBits).
     *
     * @throws IllegalArgumentException outside 25..48 bits
     */
    public static TranslationTable stage2(FrameAllocator frames, int inputBits) {
        if (inputBits < 25 || inputBits > 48) {
            throw new IllegalArgumentException("stage-2 input size " + inputBits + " bits outside [25, 48]");
        }
        int start = WalkParameters.stage1StartLevel(inputBits);
        if (start == 0 && (1 << (inputBits - Descriptor.levelShift(0))) <= 16) {
            start = 1; // concatenate up to 16 level-1 tables rather than walk from level 0 (Linux, §2.4)
        }
        return new TranslationTable(frames, Stage.STAGE2, inputBits, start);
    }

    /** The stage. */
    public Stage stage() {
        return stage;
    }

    /** The physical address of the starting-level table (CD.TTB0 or STE.S2TTB). */
    public long root() {
        return root;
    }

    /** The input size in bits. */
    public int inputBits() {
        return inputBits;
    }

    /** T0SZ / S2T0SZ. */
    public int tsz() {
        return 64 - inputBits;
    }

    /** The starting level. */
    public int startLevel() {
        return startLevel;
    }

    /** S2SL0 for this table (stage 2). */
    public int sl0() {
        return WalkParameters.sl0Of(startLevel);
    }

    /** The walk parameters for this table with {@code outputBits} of output. */
    public WalkParameters parameters(int outputBits) {
        return new WalkParameters(stage, root, inputBits, startLevel, outputBits, false, false, false, false, false);
    }

    /**
     * Maps {@code [iova, iova + size)} to {@code [pa, pa + size)} with {@code prot}.
     *
     * @throws IllegalArgumentException for unaligned or out-of-range addresses, or a {@code prot} with neither
     *     READ nor WRITE
     * @throws IllegalStateException if part of the range is already mapped (the part before it stays mapped,
     *     as with Linux's {@code -EEXIST})
     */
    public synchronized void map(long iova, long pa, long size, int prot) {
        checkRange(iova, size);
        if ((pa & 0xfff) != 0 || pa < 0 || ((pa + size - 1) >>> WalkParameters.MAX_OUTPUT_BITS) != 0) {
            throw new IllegalArgumentException(String.format("output address 0x%x (+0x%x) is not a 4 KiB aligned "
                    + "48-bit address", pa, size));
        }
        if ((Protection.require(prot) & (Protection.READ | Protection.WRITE)) == 0) {
            throw new IllegalArgumentException("a mapping needs READ or WRITE");
        }
        if (stage == Stage.STAGE2 && (prot & Protection.PRIV) != 0) {
            throw new IllegalArgumentException("PRIV is a stage-1 protection");
        }
        long done = 0;
        while (done < size) {
            long va = iova + done;
            long out = pa + done;
            int level = 3;
            for (int l = Math.max(1, startLevel); l < 3; l++) {
                long block = Descriptor.entrySize(l);
                if (((va | out) & (block - 1)) == 0 && size - done >= block) {
                    level = l;
                    break;
                }
            }
            long slot = slotFor(va, level, true);
            if (Descriptor.valid(memory.read64(slot))) {
                throw new IllegalStateException(String.format("0x%x is already mapped", va));
            }
            memory.write64(slot, Descriptor.leaf(stage, level, out, prot));
            done += Descriptor.entrySize(level);
        }
    }

    /**
     * Unmaps every mapped page of {@code [iova, iova + size)}, splitting blocks that straddle the range.
     *
     * @return the number of bytes that were mapped and no longer are
     */
    public synchronized long unmap(long iova, long size) {
        checkRange(iova, size);
        long removed = 0;
        long va = iova;
        long end = iova + size;
        while (va < end) {
            long slot = leafCovering(va, end);
            if (slot < 0) {
                va = nextBoundary(va);
                continue;
            }
            memory.write64(slot, 0);
            long leafSize = Descriptor.entrySize(coveringLevel);
            removed += leafSize;
            va += leafSize;
        }
        return removed;
    }

    /**
     * Changes the protection of every mapped page of {@code [iova, iova + size)} (unmapped pages are left
     * alone), keeping output addresses; blocks that straddle the range are split.
     *
     * @return the number of bytes whose protection was set
     */
    public synchronized long protect(long iova, long size, int prot) {
        checkRange(iova, size);
        Protection.require(prot);
        long changed = 0;
        long va = iova;
        long end = iova + size;
        while (va < end) {
            long slot = leafCovering(va, end);
            if (slot < 0) {
                va = nextBoundary(va);
                continue;
            }
            long old = memory.read64(slot);
            memory.write64(slot, Descriptor.leaf(stage, coveringLevel, old & Descriptor.ADDR_MASK, prot));
            long leafSize = Descriptor.entrySize(coveringLevel);
            changed += leafSize;
            va += leafSize;
        }
        return changed;
    }

    /** The physical address of the leaf descriptor that maps {@code iova}, if mapped. */
    public synchronized OptionalLong leafDescriptorAddress(long iova) {
        checkRange(iova, 1);
        long table = root;
        for (int level = startLevel; level <= 3; level++) {
            long slot = table + index(iova, level) * 8;
            long d = memory.read64(slot);
            if (!Descriptor.valid(d)) {
                return OptionalLong.empty();
            }
            if (!Descriptor.isTable(d, level)) {
                return OptionalLong.of(slot);
            }
            table = d & Descriptor.ADDR_MASK;
        }
        return OptionalLong.empty();
    }

    /** The output address {@code iova} maps to (ignoring permissions and the access flag), if mapped. */
    public synchronized OptionalLong lookup(long iova) {
        OptionalLong slot = leafDescriptorAddress(iova);
        if (slot.isEmpty()) {
            return OptionalLong.empty();
        }
        long d = memory.read64(slot.getAsLong());
        int level = levelOf(iova, slot.getAsLong());
        long size = Descriptor.entrySize(level);
        return OptionalLong.of((d & Descriptor.ADDR_MASK & ~(size - 1)) | (iova & (size - 1)));
    }

    /**
     * Sets or clears the access flag of the leaf mapping {@code iova}.
     *
     * @throws IllegalStateException if {@code iova} is not mapped
     */
    public synchronized void setAccessFlag(long iova, boolean set) {
        long slot = leafDescriptorAddress(iova).orElseThrow(() -> new IllegalStateException(
                String.format("0x%x is not mapped", iova)));
        long d = memory.read64(slot);
        memory.write64(slot, set ? d | Descriptor.AF : d & ~Descriptor.AF);
    }

    /**
     * Replaces the raw descriptor at {@code level} on the walk of {@code iova}, creating tables above it as
     * needed: for tests and fault injection (invalid, reserved or out-of-range descriptors).
     *
     * @return the physical address written
     */
    public synchronized long writeRaw(long iova, int level, long descriptor) {
        checkRange(iova, 1);
        if (level < startLevel || level > 3) {
            throw new IllegalArgumentException("level " + level + " outside [" + startLevel + ", 3]");
        }
        long slot = slotFor(iova, level, true);
        memory.write64(slot, descriptor);
        return slot;
    }

    /**
     * The descriptor address of the leaf mapping {@code va}, split down until it lies within {@code [va, end)}, its
     * level then in {@link #coveringLevel}; -1 if unmapped.
     */
    private long leafCovering(long va, long end) {
        long table = root;
        for (int level = startLevel; level <= 3; level++) {
            long slot = table + index(va, level) * 8;
            long d = memory.read64(slot);
            if (!Descriptor.valid(d)) {
                return -1;
            }
            if (Descriptor.isTable(d, level)) {
                table = d & Descriptor.ADDR_MASK;
                continue;
            }
            long size = Descriptor.entrySize(level);
            if ((va & (size - 1)) == 0 && end - va >= size) {
                coveringLevel = level;
                return slot;
            }
            table = split(slot, d, level);
        }
        return -1;
    }

    /** Replaces the block at {@code slot} with a next-level table of identical leaves. */
    private long split(long slot, long block, int level) {
        long next = frames.allocatePage();
        long childSize = Descriptor.entrySize(level + 1);
        long attributes = block & ~Descriptor.ADDR_MASK & ~Descriptor.TYPE_MASK;
        long childType = level + 1 == 3 ? Descriptor.TYPE_PAGE : Descriptor.TYPE_BLOCK;
        long base = block & Descriptor.ADDR_MASK & ~(Descriptor.entrySize(level) - 1);
        for (int i = 0; i < 512; i++) {
            memory.write64(next + i * 8L, attributes | childType | (base + i * childSize));
        }
        memory.write64(slot, Descriptor.table(next));
        return next;
    }

    private long slotFor(long va, int level, boolean create) {
        long table = root;
        for (int l = startLevel; l < level; l++) {
            long slot = table + index(va, l) * 8;
            long d = memory.read64(slot);
            if (!Descriptor.valid(d)) {
                if (!create) {
                    return -1;
                }
                long next = frames.allocatePage();
                memory.write64(slot, Descriptor.table(next));
                table = next;
            } else if (Descriptor.isTable(d, l)) {
                table = d & Descriptor.ADDR_MASK;
            } else {
                throw new IllegalStateException(String.format("0x%x is already mapped by a level-%d block", va, l));
            }
        }
        return table + index(va, level) * 8;
    }

    private int levelOf(long iova, long slot) {
        long table = root;
        for (int level = startLevel; level <= 3; level++) {
            long s = table + index(iova, level) * 8;
            if (s == slot) {
                return level;
            }
            table = memory.read64(s) & Descriptor.ADDR_MASK;
        }
        throw new IllegalStateException("descriptor is not on the walk");
    }

    private long index(long va, int level) {
        int bits = level == startLevel ? inputBits - Descriptor.levelShift(level) : 9;
        return (va >>> Descriptor.levelShift(level)) & ((1L << bits) - 1);
    }

    private long nextBoundary(long va) {
        // skip to the end of the smallest unmapped region containing va
        long table = root;
        for (int level = startLevel; level <= 3; level++) {
            long d = memory.read64(table + index(va, level) * 8);
            if (!Descriptor.valid(d) || !Descriptor.isTable(d, level)) {
                long size = Descriptor.entrySize(level);
                return (va & ~(size - 1)) + size;
            }
            table = d & Descriptor.ADDR_MASK;
        }
        return va + PhysicalMemory.PAGE_SIZE;
    }

    private void checkRange(long iova, long size) {
        if (size <= 0 || (iova & 0xfff) != 0 && size != 1 || iova < 0
                || ((iova + size - 1) >>> inputBits) != 0) {
            throw new IllegalArgumentException(String.format(
                    "range 0x%x (+0x%x) is not 4 KiB aligned inside the %d-bit input space", iova, size, inputBits));
        }
        if (size != 1 && (size & 0xfff) != 0) {
            throw new IllegalArgumentException(String.format("size 0x%x is not a multiple of 4 KiB", size));
        }
    }
}
