package dev.faultline.testkit.property;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * The choices generators draw their values from. In a fresh try each choice comes from a random generator
 * seeded with the try's seed, with a bias to edge values (the bound, 0 and 1); when a failure is replayed or
 * shrunk, the choices come from a recorded sequence, and a sequence that runs out continues with 0. Every
 * choice made is recorded, so that the try can be replayed.
 *
 * <p>A choice is an unsigned number from 0 to a bound, inclusive; 0 is the simplest choice, and generators
 * map it to their simplest value (0, the range's origin, the first element, the empty list). Not thread-safe:
 * one source serves one try.
 */
public final class Source {
    /** One choice in this many is an edge value in a fresh try. */
    private static final int EDGE_ONE_IN = 8;

    private final @Nullable SplittableRandom random;
    private final long[] replayed;
    private long[] made = new long[32];
    private int count;

    private Source(@Nullable SplittableRandom random, long[] replayed) {
        this.random = random;
        this.replayed = replayed;
    }

    /** A source for a fresh try: random choices from {@code seed}. */
    static Source fresh(long seed) {
        return new Source(new SplittableRandom(seed), new long[0]);
    }

    /** A source that replays {@code choices}, then continues with 0. */
    static Source replaying(long[] choices) {
        return new Source(null, choices.clone());
    }

    /**
     * Draws a number from 0 to {@code bound} inclusive, both unsigned ({@code -1} allows any 64-bit value), with
     * a bias to 0, 1 and {@code bound} in a fresh try. Generators of numbers use it.
     *
     * @param bound the largest choice, unsigned
     * @return the choice, unsigned, at most {@code bound}
     */
    public long choose(long bound) {
        SplittableRandom r = random;
        long value = 0;
        if (r != null) {
            if (r.nextInt(EDGE_ONE_IN) == 0) {
                int edge = r.nextInt(3);
                value = edge == 0 ? 0 : edge == 1 ? (bound == 0 ? 0 : 1) : bound;
            } else {
                value = uniform(r, bound);
            }
        }
        return record(bound, value);
    }

    /**
     * Picks one of {@code count} alternatives, each as likely as the others in a fresh try; shrinks toward the
     * first. Generators of elements and of one of several generators use it.
     *
     * @param count how many alternatives there are, at least 1
     * @return the index of the alternative picked, from 0 to {@code count - 1}
     */
    public int pick(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("nothing to pick from: " + count + " alternatives");
        }
        SplittableRandom r = random;
        return (int) record(count - 1, r == null ? 0 : r.nextInt(count));
    }

    /**
     * A choice between stopping (0) and going on (1) that, in a fresh try, takes {@code goOn}: lists use it so
     * that a fresh try reaches the length it aimed at while shrinking can end the list at any element.
     */
    boolean goOn(boolean goOn) {
        return record(1, goOn ? 1 : 0) == 1;
    }

    /**
     * A number from 0 to {@code bound} (an int) that steers a fresh try without being a choice: nothing is
     * recorded, and a replay gets 0. It is biased to 0, 1 and {@code bound} like {@link #choose}.
     */
    int steer(int bound) {
        SplittableRandom r = random;
        if (r == null || bound == 0) {
            return 0;
        }
        if (r.nextInt(EDGE_ONE_IN) == 0) {
            int edge = r.nextInt(3);
            return edge == 0 ? 0 : edge == 1 ? 1 : bound;
        }
        return r.nextInt(bound + 1);
    }

    /** The choices made so far, in order. */
    long[] choices() {
        return Arrays.copyOf(made, count);
    }

    private long record(long bound, long freshValue) {
        long value = freshValue;
        if (random == null) {
            value = count < replayed.length ? replayed[count] : 0;
            if (Long.compareUnsigned(value, bound) > 0) {
                value = bound;
            }
        }
        if (count == made.length) {
            made = Arrays.copyOf(made, count * 2);
        }
        made[count++] = value;
        return value;
    }

    private static long uniform(SplittableRandom r, long bound) {
        if (bound == -1) {
            return r.nextLong();
        }
        if (bound >= 0 && bound < Long.MAX_VALUE) {
            return r.nextLong(bound + 1);
        }
        long value;
        do {
            value = r.nextLong();
        } while (Long.compareUnsigned(value, bound) > 0);
        return value;
    }
}
