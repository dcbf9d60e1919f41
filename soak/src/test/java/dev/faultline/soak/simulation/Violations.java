package dev.faultline.soak.simulation;

import java.util.ArrayList;
import java.util.List;

/**
 * What broke an invariant, recorded where it was seen (inside a device or a handler, where throwing would reach the
 * code under test instead of the test) and checked by the run after every step.
 */
final class Violations {
    private final List<String> seen = new ArrayList<>();

    void add(String violation) {
        seen.add(violation);
    }

    boolean any() {
        return !seen.isEmpty();
    }

    String first() {
        return seen.get(0);
    }
}
