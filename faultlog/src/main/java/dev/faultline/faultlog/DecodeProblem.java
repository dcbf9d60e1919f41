package dev.faultline.faultlog;

import java.util.Objects;

/**
 * Something in a log that looked like part of a fault report but could not be read, so the decoder left it
 * out rather than guess: a value that is not a number of its field's form ({@code fault addr 0xnothex}; the
 * field is then absent from the fault), or a report cut short before it says who or where it faulted (an
 * SMMUv3 {@code event 0x10 received:} header whose dwords never came; no fault is reported for it, and its
 * lines count as not recognised).
 *
 * @param line the 1-based input line
 * @param format the format the text belongs to
 * @param problem what could not be read, quoting the text
 */
public record DecodeProblem(int line, FaultFormat format, String problem) {

    /**
     * Validates.
     *
     * @throws IllegalArgumentException if {@code line} &lt; 1 or the problem is blank
     */
    public DecodeProblem {
        Objects.requireNonNull(format, "format");
        if (line < 1) {
            throw new IllegalArgumentException("line " + line + " is not a 1-based line number");
        }
        if (problem == null || problem.isBlank()) {
            throw new IllegalArgumentException("a decode problem needs a description");
        }
    }

    /** {@code line 3: dmar-fault: fault addr '0xnothex' is not hexadecimal}. */
    @Override
    public String toString() {
        return "line " + line + ": " + format.key() + ": " + problem;
    }
}
