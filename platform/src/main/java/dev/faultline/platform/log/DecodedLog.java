package dev.faultline.platform.log;

import java.util.List;
import java.util.Objects;

/**
 * What {@link LogDecoder} found in one log.
 *
 * @param faults the fault reports, in log order
 * @param lines the number of input lines
 * @param ignoredLines the non-blank input lines that belong to no report (unrelated messages and context
 *     lines such as {@code DRHD: handling fault status reg} or {@code callbacks suppressed})
 */
public record DecodedLog(List<DecodedFault> faults, int lines, int ignoredLines) {

    /**
     * Validates and copies.
     *
     * @throws IllegalArgumentException for negative counts
     */
    public DecodedLog {
        faults = List.copyOf(Objects.requireNonNull(faults, "faults"));
        if (lines < 0 || ignoredLines < 0 || ignoredLines > lines) {
            throw new IllegalArgumentException("line counts " + lines + "/" + ignoredLines + " are inconsistent");
        }
    }

    /** The {@link FaultTable} of this log (so that a shell prints a returned log readably). */
    @Override
    public String toString() {
        return FaultTable.render(this);
    }
}
