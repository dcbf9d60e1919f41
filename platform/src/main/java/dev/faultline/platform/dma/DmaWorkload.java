package dev.faultline.platform.dma;

import dev.faultline.api.fault.Pasid;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * A seeded, deterministic stream of DMA accesses for demos and benchmarks: the same settings and seed always
 * give the same accesses, on any machine.
 *
 * <pre>{@code
 * DmaWorkload w = DmaWorkload.builder(0x42).region(0x4000_0000L, 1 << 20).pasids(1, 2)
 *         .mix(70, 25, 5).pattern(DmaWorkload.Pattern.RANDOM).count(10_000).seed(7).build();
 * for (DmaAccess a : w) { ... }
 * }</pre>
 *
 * <p>Not thread-safe (each iterator is independent and starts from the seed).
 */
public final class DmaWorkload implements Iterable<DmaAccess> {

    /** How addresses are chosen within the region. */
    public enum Pattern {
        /** Consecutive accesses of {@code size} bytes, wrapping at the region's end. */
        SEQUENTIAL,
        /** One access per 4 KiB page, page after page, wrapping (the worst case for demand paging). */
        PAGE_STRIDE,
        /** Uniformly random, size-aligned addresses. */
        RANDOM
    }

    private final int requesterId;
    private final long base;
    private final long length;
    private final int size;
    private final int[] pasids;
    private final int readPercent;
    private final int writePercent;
    private final int privilegedPercent;
    private final Pattern pattern;
    private final long count;
    private final long seed;

    private DmaWorkload(Builder b) {
        this.requesterId = b.requesterId;
        this.base = b.base;
        this.length = b.length;
        this.size = b.size;
        this.pasids = b.pasids.clone();
        this.readPercent = b.readPercent;
        this.writePercent = b.writePercent;
        this.privilegedPercent = b.privilegedPercent;
        this.pattern = b.pattern;
        this.count = b.count;
        this.seed = b.seed;
    }

    /** A builder for accesses of {@code requesterId}: by default 1000 PASID-less 8-byte sequential reads of 1 MiB at 0. */
    public static Builder builder(int requesterId) {
        return new Builder(requesterId);
    }

    /** The number of accesses the workload yields. */
    public long count() {
        return count;
    }

    @Override
    public Iterator<DmaAccess> iterator() {
        return new Iterator<>() {
            private final SplittableRandom random = new SplittableRandom(seed);
            private long emitted;
            private long cursor;

            @Override
            public boolean hasNext() {
                return emitted < count;
            }

            @Override
            public DmaAccess next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("workload of " + count + " accesses is exhausted");
                }
                emitted++;
                long offset;
                switch (pattern) {
                    case SEQUENTIAL -> {
                        offset = cursor;
                        cursor = (cursor + size) % length;
                    }
                    case PAGE_STRIDE -> {
                        offset = cursor;
                        cursor = (cursor + 4096) % length;
                    }
                    default -> offset = random.nextLong(length / size) * size;
                }
                int roll = random.nextInt(100);
                AccessType type = roll < readPercent ? AccessType.READ
                        : roll < readPercent + writePercent ? AccessType.WRITE : AccessType.INSTRUCTION_FETCH;
                int pasid = pasids.length == 0 ? Pasid.NONE : pasids[random.nextInt(pasids.length)];
                boolean privileged = random.nextInt(100) < privilegedPercent;
                return new DmaAccess(requesterId, pasid, base + offset, type, privileged, size, false);
            }
        };
    }

    /** Settings of a {@link DmaWorkload}. */
    public static final class Builder {
        private final int requesterId;
        private long base;
        private long length = 1 << 20;
        private int size = 8;
        private int[] pasids = new int[0];
        private int readPercent = 100;
        private int writePercent;
        private int privilegedPercent;
        private Pattern pattern = Pattern.SEQUENTIAL;
        private long count = 1000;
        private long seed;

        private Builder(int requesterId) {
            this.requesterId = requesterId;
        }

        /**
         * The address region {@code [base, base + length)}.
         *
         * @throws IllegalArgumentException unless both are 4 KiB aligned and {@code length} is positive
         */
        public Builder region(long regionBase, long regionLength) {
            if ((regionBase & 0xfff) != 0 || (regionLength & 0xfff) != 0 || regionLength <= 0) {
                throw new IllegalArgumentException(String.format(
                        "workload region [0x%x, +0x%x) must be 4 KiB aligned and non-empty", regionBase, regionLength));
            }
            this.base = regionBase;
            this.length = regionLength;
            return this;
        }

        /**
         * The access size in bytes.
         *
         * @throws IllegalArgumentException unless a power of two in 1..4096
         */
        public Builder size(int bytes) {
            if (bytes < 1 || bytes > 4096 || Integer.bitCount(bytes) != 1) {
                throw new IllegalArgumentException("access size " + bytes + " must be a power of two in [1, 4096]");
            }
            this.size = bytes;
            return this;
        }

        /** The PASIDs accesses carry, chosen uniformly; none given means PASID-less accesses. */
        public Builder pasids(int... values) {
            for (int p : values) {
                if (!Pasid.isValid(p)) {
                    throw new IllegalArgumentException("workload PASID " + p + " is not a valid PASID");
                }
            }
            this.pasids = values.clone();
            return this;
        }

        /**
         * The percentages of reads, writes and instruction fetches.
         *
         * @throws IllegalArgumentException unless non-negative and summing to 100
         */
        public Builder mix(int reads, int writes, int fetches) {
            if (reads < 0 || writes < 0 || fetches < 0 || reads + writes + fetches != 100) {
                throw new IllegalArgumentException("access mix " + reads + "/" + writes + "/" + fetches
                        + " must be non-negative and sum to 100");
            }
            this.readPercent = reads;
            this.writePercent = writes;
            return this;
        }

        /** The percentage of privileged accesses (0 to 100). */
        public Builder privileged(int percent) {
            if (percent < 0 || percent > 100) {
                throw new IllegalArgumentException("privileged percentage " + percent + " outside [0, 100]");
            }
            this.privilegedPercent = percent;
            return this;
        }

        /** How addresses advance. */
        public Builder pattern(Pattern value) {
            this.pattern = java.util.Objects.requireNonNull(value, "pattern");
            return this;
        }

        /** How many accesses (non-negative). */
        public Builder count(long value) {
            if (value < 0) {
                throw new IllegalArgumentException("access count " + value + " is negative");
            }
            this.count = value;
            return this;
        }

        /** The seed of every random choice. */
        public Builder seed(long value) {
            this.seed = value;
            return this;
        }

        /**
         * The workload.
         *
         * @throws IllegalArgumentException if the region is smaller than one access
         */
        public DmaWorkload build() {
            if (length < size) {
                throw new IllegalArgumentException("region of " + length + " bytes is smaller than one access");
            }
            return new DmaWorkload(this);
        }
    }
}
