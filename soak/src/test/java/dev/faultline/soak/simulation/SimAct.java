package dev.faultline.soak.simulation;

import java.util.SplittableRandom;

/**
 * What a simulated handler does with one group. The device draws it from the run's generator and writes it into
 * bits [15:12] of the faulting page, so the handlers' behaviour is part of the seeded fault stream.
 */
enum SimAct {
    /** Maps the page (stall devices) and answers SUCCESS. */
    SUCCESS(850),
    /** Answers INVALID. */
    INVALID(40),
    /** Answers FAILURE. */
    FAILURE(5),
    /** Throws; the core answers FAILURE. */
    THROW(5),
    /** Returns without answering or deferring; the core answers INVALID (abandoned). */
    ABANDON(10),
    /** Answers SUCCESS, then again; the second answer must be refused. */
    ANSWER_TWICE(20),
    /** Defers and answers SUCCESS from the handler's worker thread some time later (sometimes after the deadline). */
    DEFER(40),
    /** Defers and never answers; the core answers at the deadline. */
    HANG(10),
    /** Blocks the calling thread (a driver's fault thread, or the handler's queue thread), then answers SUCCESS. */
    BLOCK(20);

    static final int SHIFT = 12;
    private static final SimAct[] ACTS = values();
    private static final int TOTAL;

    static {
        int t = 0;
        for (SimAct a : ACTS) {
            t += a.weight;
        }
        TOTAL = t;
    }

    private final int weight;

    SimAct(int weight) {
        this.weight = weight;
    }

    /** An act drawn with the weights above (per mille). */
    static SimAct draw(SplittableRandom random) {
        int x = random.nextInt(TOTAL);
        for (SimAct a : ACTS) {
            x -= a.weight;
            if (x < 0) {
                return a;
            }
        }
        throw new AssertionError("weights");
    }

    /** The act a page address carries. */
    static SimAct of(long address) {
        return ACTS[(int) (address >>> SHIFT & 0xf) % ACTS.length];
    }

    /** {@code page} (4 KiB aligned, bits [15:12] clear) carrying this act. */
    long in(long page) {
        return page | (long) ordinal() << SHIFT;
    }
}
