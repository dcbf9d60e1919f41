package dev.faultline.benchmarks;

import java.util.Arrays;

/**
 * The "send the response to the hardware" step shared by every variant: the answer of each fault is written at
 * its stall tag. Slots of different fault sources never overlap, so two threads write different slots.
 */
final class Responses {
    /** Stored for a slot that has no answer yet. */
    static final int NONE = -1;

    private final int[] codes;

    Responses(int slots) {
        codes = new int[slots];
        clear();
    }

    /** Records the answer ({@link Responder#SUCCESS}, {@link Responder#INVALID}, or another Linux code) for a stall tag. */
    void record(int stag, int code) {
        codes[stag] = code;
    }

    /** The answer recorded for a stall tag, or {@link #NONE}. */
    int code(int stag) {
        return codes[stag];
    }

    /** Forgets every answer. */
    void clear() {
        Arrays.fill(codes, NONE);
    }

    /** The number of slots. */
    int size() {
        return codes.length;
    }
}
