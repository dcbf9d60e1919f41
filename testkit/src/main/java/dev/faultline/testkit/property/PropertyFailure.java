package dev.faultline.testkit.property;

import java.util.List;

/**
 * A property did not hold: the message gives the seed of the failing try (to replay it), the shrunk
 * counterexample with the failure it causes, and the counterexample as first found. The cause is the failure of
 * the shrunk counterexample.
 */
public final class PropertyFailure extends AssertionError {
    private static final long serialVersionUID = 1L;
    /** Longer printed values are cut in the report of the original counterexample. */
    private static final int ORIGINAL_VALUE_CHARS = 2000;

    private final long seed;
    private final List<String> counterexample;
    private final List<String> original;
    private final int shrinkSteps;

    PropertyFailure(long seed, int tryNumber, int tries, Attempt original, Attempt shrunk, int steps, int attempts) {
        super(message(seed, tryNumber, tries, original, shrunk, steps, attempts), shrunk.failure());
        this.seed = seed;
        this.counterexample = shrunk.drawn();
        this.original = original.drawn();
        this.shrinkSteps = steps;
    }

    /**
     * The seed of the failing try: {@code -Dfaultline.seed=<seed>} or {@link Property#seed} replays it.
     *
     * @return the seed
     */
    public long seed() {
        return seed;
    }

    /**
     * The shrunk counterexample: each value drawn, as {@code label = value}, in order.
     *
     * @return the values
     */
    public List<String> counterexample() {
        return counterexample;
    }

    /**
     * The counterexample as the try first drew it, before shrinking.
     *
     * @return the values
     */
    public List<String> original() {
        return original;
    }

    /**
     * How many simpler counterexamples shrinking went through.
     *
     * @return the number of steps
     */
    public int shrinkSteps() {
        return shrinkSteps;
    }

    private static String message(long seed, int tryNumber, int tries, Attempt original, Attempt shrunk, int steps,
            int attempts) {
        StringBuilder m = new StringBuilder()
                .append("Property failed on try ").append(tryNumber).append(" of ").append(tries)
                .append(", seed ").append(seed).append(" (replay: -D").append(Property.SEED_PROPERTY).append('=')
                .append(seed).append(")\n")
                .append("Counterexample, shrunk in ").append(steps).append(" steps (").append(attempts)
                .append(" candidates tried):\n");
        shrunk.drawn().forEach(value -> m.append("  ").append(value).append('\n'));
        m.append("Failure: ").append(shrunk.failure()).append('\n');
        m.append("Counterexample as first found:\n");
        original.drawn().forEach(value -> m.append("  ").append(value.length() <= ORIGINAL_VALUE_CHARS ? value
                : value.substring(0, ORIGINAL_VALUE_CHARS) + "... (" + value.length() + " characters)").append('\n'));
        if (original.failure() != null && shrunk.failure() != original.failure()) {
            m.append("Failure: ").append(original.failure());
        }
        return m.toString().stripTrailing();
    }
}
