package dev.faultline.testkit.property;

import java.util.Arrays;
import java.util.function.Function;

/**
 * Shrinks a failing attempt by editing its choices: deleting runs of them (which removes list elements and
 * whole composed values), zeroing runs, and making each one as small as it can be while the property still
 * fails the same way (the same exception class). A candidate counts only if the choices it actually made are
 * simpler than the best so far: fewer, or as many and smaller at the first difference. That order makes
 * shrinking end, and it is deterministic: the same failing attempt always shrinks to the same result.
 */
final class Shrinker {
    private final Function<long[], Attempt> replay;
    private final Class<?> failureType;
    private final int maxAttempts;
    private Attempt best;
    private int attempts;
    private int steps;

    Shrinker(Function<long[], Attempt> replay, Attempt failing, int maxAttempts) {
        if (failing.failure() == null) {
            throw new IllegalArgumentException("nothing to shrink: the attempt passed");
        }
        this.replay = replay;
        this.best = failing;
        this.failureType = failing.failure().getClass();
        this.maxAttempts = maxAttempts;
    }

    Attempt shrink() {
        boolean progress = true;
        while (progress && attempts < maxAttempts) {
            progress = deleteRuns() | zeroRuns() | minimizeEach();
        }
        return best;
    }

    /** How many candidates replaced the best so far. */
    int steps() {
        return steps;
    }

    /** How many candidates were run. */
    int attempts() {
        return attempts;
    }

    private boolean deleteRuns() {
        boolean progress = false;
        for (int run = Integer.highestOneBit(Math.max(1, best.choices().length / 2)); run >= 1;
                run = run > 8 ? run / 2 : run - 1) {
            int i = 0;
            while (i + run <= best.choices().length && attempts < maxAttempts) {
                long[] c = best.choices();
                long[] candidate = new long[c.length - run];
                System.arraycopy(c, 0, candidate, 0, i);
                System.arraycopy(c, i + run, candidate, i, c.length - i - run);
                if (consider(candidate)) {
                    progress = true;
                } else {
                    i += run > 8 ? run : 1;
                }
            }
        }
        return progress;
    }

    private boolean zeroRuns() {
        boolean progress = false;
        for (int run = 8; run >= 2; run /= 2) {
            for (int i = 0; i + run <= best.choices().length && attempts < maxAttempts; i += run / 2) {
                long[] candidate = best.choices().clone();
                Arrays.fill(candidate, i, i + run, 0);
                progress |= consider(candidate);
            }
        }
        return progress;
    }

    private boolean minimizeEach() {
        boolean progress = false;
        for (int i = 0; i < best.choices().length && attempts < maxAttempts; i++) {
            long value = best.choices()[i];
            if (value == 0 || consider(with(i, 0))) {
                progress |= value != 0;
                continue;
            }
            // the smallest value that still fails, by bisection between 0 (passes) and value (fails), unsigned
            long passes = 0;
            long fails = value;
            while (Long.compareUnsigned(fails - passes, 1) > 0 && attempts < maxAttempts
                    && i < best.choices().length) {
                long middle = passes + ((fails - passes) >>> 1);
                if (consider(with(i, middle))) {
                    fails = middle;
                    progress = true;
                } else {
                    passes = middle;
                }
            }
        }
        return progress;
    }

    private long[] with(int index, long value) {
        long[] candidate = best.choices().clone();
        candidate[index] = value;
        return candidate;
    }

    private boolean consider(long[] candidate) {
        if (attempts >= maxAttempts || !simpler(candidate, best.choices())) {
            return false;
        }
        attempts++;
        Attempt attempt = replay.apply(candidate);
        if (attempt.failure() != null && attempt.failure().getClass() == failureType
                && simpler(attempt.choices(), best.choices())) {
            best = attempt;
            steps++;
            return true;
        }
        return false;
    }

    /** Shortlex order: fewer choices, or as many and the first that differs smaller (unsigned). */
    static boolean simpler(long[] a, long[] b) {
        if (a.length != b.length) {
            return a.length < b.length;
        }
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                return Long.compareUnsigned(a[i], b[i]) < 0;
            }
        }
        return false;
    }
}
