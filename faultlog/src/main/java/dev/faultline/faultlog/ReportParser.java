package dev.faultline.faultlog;

/**
 * Recognises the lines of one report format. The {@link LogDecoder} offers each logical line to every parser
 * in turn until one takes it. A parser may keep a report open across lines (an SMMUv3 dump waiting for its
 * dwords) and may take continuation lines from the look-ahead; every line it takes ends up in exactly one
 * report it adds to {@link Reports}.
 */
interface ReportParser {

    /**
     * Offers a line.
     *
     * @param line the line
     * @param more the lines after it, to take continuations of a wrapped report from
     * @param out where finished reports go
     * @return whether the line belongs to a report (now or once the report is finished)
     */
    boolean take(LogLine line, LogLines more, Reports out);

    /** Finishes every report still open, at the end of the input. */
    void finish(Reports out);
}
