package dev.faultline.faultlog;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The reports still collecting lines, at most one per device (an SMMU instance prints its report's lines
 * in order, but other devices' lines may come in between). Not thread-safe.
 *
 * @param <R> the parser's open report type
 */
final class OpenReports<R extends OpenReports.Report> {

    /** A report that may take more lines. */
    interface Report {
        /** The finished report. */
        DecodedFault decode();

        /** How many non-blank input lines it took. */
        int lines();

        /**
         * Why this report, cut short, is no fault (it never said who or where it faulted), or empty when it
         * is one. An incomplete report's lines count as not recognised.
         */
        default Optional<DecodeProblem> incomplete() {
            return Optional.empty();
        }
    }

    private final Map<String, R> open = new LinkedHashMap<>();

    /** The open report of {@code device}, or {@code null}. */
    @Nullable R get(String device) {
        return open.get(device);
    }

    /** Makes {@code report} the open report of {@code device}, finishing the one it replaces. */
    void open(String device, R report, Reports out) {
        close(device, out);
        open.put(device, report);
    }

    /** Finishes the open report of {@code device}, if any. */
    void close(String device, Reports out) {
        R r = open.remove(device);
        if (r != null) {
            finish(r, out);
        }
    }

    /** Finishes every open report, in the order they were opened. */
    void closeAll(Reports out) {
        for (R r : open.values()) {
            finish(r, out);
        }
        open.clear();
    }

    private void finish(R r, Reports out) {
        Optional<DecodeProblem> incomplete = r.incomplete();
        if (incomplete.isPresent()) {
            out.problem(incomplete.get());
        } else {
            out.add(r.decode(), r.lines());
        }
    }
}
