package dev.faultline.soak;

import java.util.SplittableRandom;

/**
 * What the soak's handler does with one group. The device chooses it from its seeded generator and writes it
 * into bits [15:12] of the faulting page address, so the mix of handler behaviour is part of the reproducible
 * fault stream, whatever the thread timing.
 */
enum HandlerAct {
    /** Maps the page (stall devices) and answers SUCCESS. */
    SUCCESS(880),
    /** Answers INVALID. */
    INVALID(40),
    /** Answers FAILURE. */
    FAILURE(5),
    /** Throws; the core answers FAILURE. */
    THROW(5),
    /** Returns without answering or deferring; the core answers INVALID (abandoned). */
    ABANDON(10),
    /** Answers SUCCESS, then tries again; the second answer is refused and counted as a duplicate. */
    ANSWER_TWICE(20),
    /** Defers and answers SUCCESS from another thread. */
    DEFER(30),
    /** Defers and never answers (a hung handler); the core answers at the deadline. */
    HANG(10);

    /** Where the act sits in a page address. */
    static final int SHIFT = 12;
    private static final HandlerAct[] ACTS = values();
    private static final int TOTAL;

    static {
        int t = 0;
        for (HandlerAct a : ACTS) {
            t += a.weight;
        }
        TOTAL = t;
    }

    private final int weight;

    HandlerAct(int weight) {
        this.weight = weight;
    }

    /** An act drawn with the weights above (per mille). */
    static HandlerAct draw(SplittableRandom random) {
        int x = random.nextInt(TOTAL);
        for (HandlerAct a : ACTS) {
            x -= a.weight;
            if (x < 0) {
                return a;
            }
        }
        throw new AssertionError("weights");
    }

    /** The act a page address carries. */
    static HandlerAct of(long address) {
        return ACTS[(int) (address >>> SHIFT & 0xf) % ACTS.length];
    }

    /** {@code page} (4 KiB aligned, bits [15:12] clear) carrying this act. */
    long in(long page) {
        return page | (long) ordinal() << SHIFT;
    }
}
