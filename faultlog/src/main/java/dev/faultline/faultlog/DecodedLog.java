package dev.faultline.faultlog;

import java.util.List;
import java.util.Objects;

/**
 * What {@link LogDecoder} found in one log.
 *
 * @param faults the fault reports, in log order
 * @param lines the number of input lines
 * @param ignoredLines the non-blank input lines that belong to no report (unrelated messages, context
 *     lines such as {@code DRHD: handling fault status reg} or {@code callbacks suppressed}, and the lines of
 *     a report cut short before it says who or where it faulted)
 * @param problems what looked like part of a report but could not be read, in log order: the decoder left
 *     each out instead of inventing a value (see {@link DecodeProblem})
 */
public record DecodedLog(List<DecodedFault> faults, int lines, int ignoredLines, List<DecodeProblem> problems) {

    /**
     * Validates and copies.
     *
     * @throws IllegalArgumentException for negative counts
     */
    public DecodedLog {
        faults = List.copyOf(Objects.requireNonNull(faults, "faults"));
        problems = List.copyOf(Objects.requireNonNull(problems, "problems"));
        if (lines < 0 || ignoredLines < 0 || ignoredLines > lines) {
            throw new IllegalArgumentException("line counts " + lines + "/" + ignoredLines + " are inconsistent");
        }
    }

    /** A log in which nothing was left out. */
    public DecodedLog(List<DecodedFault> faults, int lines, int ignoredLines) {
        this(faults, lines, ignoredLines, List.of());
    }

    /** The {@link FaultTable} of this log (so that a shell prints a returned log readably). */
    @Override
    public String toString() {
        return FaultTable.render(this);
    }
}
