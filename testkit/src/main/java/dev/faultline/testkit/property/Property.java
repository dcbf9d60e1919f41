package dev.faultline.testkit.property;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * A property check: runs a body a number of times ("tries"), each try drawing its values from a {@link Sample}
 * seeded with a seed of its own. The first try that fails (throws) is shrunk to a simpler failing one, and
 * {@link #check} throws a {@link PropertyFailure} that gives the try's seed, the shrunk counterexample and the
 * original one. Immutable: each setting returns a new check.
 *
 * <pre>{@code
 * @Test
 * void keepsTheLatestValue() {
 *     Property.tries(1000).check(s -> {
 *         int pasid = s.draw("pasid", Gens.integers(-1, 0xfffff));
 *         assertThat(PasidMap.<String>empty().with(pasid, "a").with(pasid, "b").get(pasid)).isEqualTo("b");
 *     });
 * }
 * }</pre>
 *
 * <p><b>Replay.</b> With a seed, set by {@link #seed} or by the system property {@value #SEED_PROPERTY}
 * ({@code ./mvnw test -Dtest=Class#method -Dfaultline.seed=<seed>}), the check runs one try with that seed: the
 * same values, the same failure, the same shrunk counterexample. Without one, each run takes fresh seeds.
 *
 * <p>The check prints nothing; all it has to say is in the failure it throws.
 */
public final class Property {
    /** The system property that replays one seed in every check of the run. */
    public static final String SEED_PROPERTY = "faultline.seed";
    /** How many candidates shrinking runs at most, unless {@link #shrinkAttempts} says otherwise. */
    public static final int DEFAULT_SHRINK_ATTEMPTS = 1000;

    private final int tries;
    private final @Nullable Long seed;
    private final int shrinkAttempts;
    private final List<Object> covered;

    private Property(int tries, @Nullable Long seed, int shrinkAttempts, List<Object> covered) {
        if (tries < 1) {
            throw new IllegalArgumentException("tries must be at least 1: " + tries);
        }
        if (shrinkAttempts < 0) {
            throw new IllegalArgumentException("shrink attempts must not be negative: " + shrinkAttempts);
        }
        this.tries = tries;
        this.seed = seed;
        this.shrinkAttempts = shrinkAttempts;
        this.covered = covered;
    }

    /** How many times the tries a check runs at most while a label to cover is still missing. */
    static final int COVERAGE_EXTENSION = 10;

    /**
     * A check of {@code tries} tries.
     *
     * @param tries how many tries, at least 1
     * @return the check
     */
    public static Property tries(int tries) {
        return new Property(tries, null, DEFAULT_SHRINK_ATTEMPTS, List.of());
    }

    /**
     * This check replaying one seed: a single try with {@code seed}, as a failure report gave it.
     *
     * @param seed the seed of the try
     * @return the check
     */
    public Property seed(long seed) {
        return new Property(tries, seed, shrinkAttempts, covered);
    }

    /**
     * This check with at most {@code attempts} shrinking candidates run (0: no shrinking).
     *
     * @param attempts the limit
     * @return the check
     */
    public Property shrinkAttempts(int attempts) {
        return new Property(tries, seed, attempts, covered);
    }

    /**
     * This check also failing unless every one of {@code labels} was {@linkplain Sample#classify classified}
     * in some try: a check that the generators reach every case the property is about. Not checked when one
     * seed is replayed.
     *
     * @param labels the labels every run must reach
     * @return the check
     */
    public Property cover(Collection<?> labels) {
        return new Property(tries, seed, shrinkAttempts, List.copyOf(labels));
    }

    /**
     * Runs the tries.
     *
     * @param body the property: draws its values from the sample and throws (an assertion) if it does not hold
     * @throws PropertyFailure if a try failed, with its seed and shrunk counterexample
     * @throws AssertionError if a label to {@linkplain #cover cover} was never reached
     * @throws IllegalArgumentException if the system property {@value #SEED_PROPERTY} is not a number
     */
    public void check(Body body) {
        Long replay = seed != null ? seed : seedProperty();
        if (replay != null) {
            runTry(body, replay, 1, 1, null);
            return;
        }
        SplittableRandom seeds = new SplittableRandom();
        Map<Object, Long> classes = new HashMap<>();
        int i = 1;
        for (; i <= tries; i++) {
            runTry(body, seeds.nextLong(), i, tries, classes);
        }
        // A label to cover that the tries missed by chance gets more tries (each one checked like the others),
        // up to COVERAGE_EXTENSION times as many: a rare but reachable case never fails the build on an unlucky
        // seed, while a case the generators cannot reach still fails it.
        int limit = tries * COVERAGE_EXTENSION;
        for (; i <= limit && !missing(classes).isEmpty(); i++) {
            runTry(body, seeds.nextLong(), i, limit, classes);
        }
        List<Object> missing = missing(classes);
        if (!missing.isEmpty()) {
            Map<Object, Long> reached = new LinkedHashMap<>();
            covered.stream().filter(classes::containsKey).forEach(label -> reached.put(label, classes.get(label)));
            throw new AssertionError("never reached in " + (i - 1) + " tries: " + missing + "; reached: " + reached);
        }
    }

    private List<Object> missing(Map<Object, Long> classes) {
        return covered.stream().filter(label -> !classes.containsKey(label)).toList();
    }

    private void runTry(Body body, long trySeed, int tryNumber, int of, @Nullable Map<Object, Long> classes) {
        Attempt first = attempt(body, Source.fresh(trySeed), classes);
        if (first.failure() == null) {
            return;
        }
        Shrinker shrinker = new Shrinker(choices -> attempt(body, Source.replaying(choices), null), first,
                shrinkAttempts);
        Attempt shrunk = shrinker.shrink();
        throw new PropertyFailure(trySeed, tryNumber, of, first, shrunk, shrinker.steps(), shrinker.attempts());
    }

    private static Attempt attempt(Body body, Source source, @Nullable Map<Object, Long> classes) {
        Sample sample = new Sample(source, classes);
        Throwable failure = null;
        try {
            body.test(sample);
        } catch (VirtualMachineError fatal) {
            throw fatal;
        } catch (Throwable t) {
            failure = t;
        }
        return new Attempt(sample.choices(), sample.drawn(), failure);
    }

    private static @Nullable Long seedProperty() {
        String value = System.getProperty(SEED_PROPERTY);
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + SEED_PROPERTY + " must be a seed from a failure report (a"
                    + " decimal long), not '" + value + "'", e);
        }
    }

    /** The property under check. */
    @FunctionalInterface
    public interface Body {
        /**
         * Runs one try.
         *
         * @param sample where the try draws its values from
         * @throws Exception (or an assertion error) if the property does not hold for the values drawn
         */
        void test(Sample sample) throws Exception;
    }
}
