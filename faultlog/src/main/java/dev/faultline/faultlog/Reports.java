package dev.faultline.faultlog;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Where parsers put finished reports; counts the input lines attributed to them. Not thread-safe. */
final class Reports {
    private final List<DecodedFault> faults = new ArrayList<>();
    private final List<DecodeProblem> problems = new ArrayList<>();
    private int attributedLines;

    /**
     * Adds a report.
     *
     * @param fault the report
     * @param nonBlankInputLines how many non-blank input lines it was made of
     */
    void add(DecodedFault fault, int nonBlankInputLines) {
        faults.add(fault);
        attributedLines += nonBlankInputLines;
    }

    /** Records text that looked like part of a report but could not be read (and was left out). */
    void problem(int line, FaultFormat format, String problem) {
        problem(new DecodeProblem(line, format, problem));
    }

    /** Records a problem. */
    void problem(DecodeProblem problem) {
        problems.add(problem);
    }

    /** How many problems were recorded so far (a mark for {@link #dropProblemsSince}). */
    int problemCount() {
        return problems.size();
    }

    /** Forgets the problems recorded since {@code mark}: they came from text tried and then read another way. */
    void dropProblemsSince(int mark) {
        problems.subList(mark, problems.size()).clear();
    }

    /** The problems in log order. */
    List<DecodeProblem> problemsInLogOrder() {
        List<DecodeProblem> sorted = new ArrayList<>(problems);
        sorted.sort(Comparator.comparingInt(DecodeProblem::line));
        return sorted;
    }

    int attributedLines() {
        return attributedLines;
    }

    /** The reports in log order (by anchor line; parsers may finish them out of order). */
    List<DecodedFault> inLogOrder() {
        List<DecodedFault> sorted = new ArrayList<>(faults);
        sorted.sort(Comparator.comparingInt(DecodedFault::line));
        return sorted;
    }
}
