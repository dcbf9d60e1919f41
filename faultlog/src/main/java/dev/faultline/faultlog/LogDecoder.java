package dev.faultline.faultlog;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.jspecify.annotations.Nullable;

/**
 * Decodes IOMMU fault reports from kernel log text: Arm SMMUv3 events, Arm SMMU v1/v2 context faults, Intel
 * VT-d DMA- and interrupt-remapping faults and rejected page requests, AMD-Vi {@code IO_PAGE_FAULT}s,
 * msm/Adreno GPU faults and remoteproc crashes ({@link FaultFormat}).
 *
 * <p>Input may be raw {@code dmesg}, {@code dmesg -T}, journal or syslog output, mail quotes ({@code > }),
 * diff or CI comments ({@code +# }), console output after a shell prompt, with quoted-printable soft breaks
 * or lines the mailer wrapped, truncated dumps and unrelated lines in between. Anything not understood is
 * counted in {@link DecodedLog#ignoredLines()}; no input makes the decoder throw, and every report is made
 * of at least one input line.
 *
 * <p>The decoder never invents a field: a value it cannot read ({@code fault addr 0xnothex}) is left out of
 * its fault, and a report cut short before it says who or where it faulted (a header line alone) is no fault;
 * both are listed in {@link DecodedLog#problems()}.
 *
 * <p>Stateless: each call decodes its own input, so one instance may be used from several threads.
 */
public final class LogDecoder {
    /**
     * Mail clients wrap at 72 to 78 columns, cutting at the last space before the width: a line they cut is at
     * least this long, unless its next word was very long.
     */
    private static final int MIN_WRAPPED_WIDTH = 48;

    /** Decodes {@code text}. */
    public DecodedLog decode(String text) {
        try {
            return decode(new StringReader(text));
        } catch (IOException e) {
            throw new UncheckedIOException("reading a string failed", e);
        }
    }

    /**
     * Decodes the lines read from {@code reader} (not closed).
     *
     * @throws IOException if reading fails
     */
    public DecodedLog decode(Reader reader) throws IOException {
        BufferedReader lines = reader instanceof BufferedReader b ? b : new BufferedReader(reader);
        try {
            return decode(new ReaderLines(lines));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * Decodes a file. Bytes that are not UTF-8 are replaced, not rejected (logs mix encodings).
     *
     * @throws IOException if the file cannot be read
     */
    public DecodedLog decode(Path file) throws IOException {
        try (Reader r = new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8)) {
            return decode(r);
        }
    }

    /** Decodes a sequence of lines (without line terminators). */
    public DecodedLog decode(Iterable<String> lines) {
        return decode(lines.iterator());
    }

    private DecodedLog decode(Iterator<String> input) {
        CountingIterator counted = new CountingIterator(input);
        LogLines lines = new LogLines(counted);
        Reports reports = new Reports();
        List<ReportParser> parsers = parsers();
        for (LogLine line = lines.next(); line != null; line = lines.next()) {
            if (line.text().isEmpty()) {
                continue;
            }
            if (!offer(parsers, line, lines, reports)) {
                rejoinWrapped(parsers, line, lines, reports);
            }
        }
        for (ReportParser parser : parsers) {
            parser.finish(reports);
        }
        int ignored = lines.nonBlankInputLines() - reports.attributedLines();
        return new DecodedLog(reports.inLogOrder(), counted.count, ignored, reports.problemsInLogOrder());
    }

    private static List<ReportParser> parsers() {
        return List.of(new SmmuV3EventParser(), new ContextFaultParser(), new DmarFaultParser(),
                new PageRequestParser(), new AmdPageFaultParser(), new MsmGpuFaultParser(), new RemoteprocCrashParser());
    }

    /** Offers {@code line} to each parser in turn; whether one took it. */
    private static boolean offer(List<ReportParser> parsers, LogLine line, LogLines more, Reports reports) {
        for (ReportParser parser : parsers) {
            if (parser.take(line, more, reports)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A long line no parser took may be a message a mail client wrapped before the words that make it
     * recognisable ({@code arm-smmu fd800000.smmu: Unhandled context} / {@code fault: fsr=0x402, ...}): joins it
     * with up to {@link Continuation#MAX_LINES} following lines that are no message on their own, and takes them
     * if the joined line is a report. Otherwise nothing is taken and no problem recorded.
     */
    private static void rejoinWrapped(List<ReportParser> parsers, LogLine line, LogLines more, Reports reports) {
        if (line.width() < MIN_WRAPPED_WIDTH) {
            return;
        }
        List<LogLine> next = more.peek(2 * Continuation.MAX_LINES);
        LogLine joined = line;
        for (int i = 0; i < Math.min(Continuation.MAX_LINES, next.size()); i++) {
            LogLine piece = next.get(i);
            if (piece.text().isEmpty() || aMessageOfItsOwn(piece, next.subList(i + 1, next.size()))) {
                return;
            }
            joined = joined.join(piece);
            int mark = reports.problemCount();
            more.skip(i + 1);
            if (offer(parsers, joined, more, reports)) {
                return;
            }
            more.unread(next.subList(0, i + 1));
            reports.dropProblemsSince(mark);
            if (piece.width() < MIN_WRAPPED_WIDTH) {
                return;
            }
        }
    }

    /**
     * Whether fresh parsers take {@code line}, with the lines {@code after} it, as a report of its own (it is then no
     * continuation of the line before): a report wrapped in its turn ({@code ... [IO_PAGE_FAULT domain=0x0000} /
     * {@code address=... flags=0x0010]}) starts a message too.
     */
    private static boolean aMessageOfItsOwn(LogLine line, List<LogLine> after) {
        LogLines following = new LogLines(after.stream().map(LogLine::text).iterator());
        return offer(parsers(), line, following, new Reports());
    }

    /** Counts the lines taken from the input. */
    private static final class CountingIterator implements Iterator<String> {
        private final Iterator<String> input;
        private int count;

        CountingIterator(Iterator<String> input) {
            this.input = input;
        }

        @Override
        public boolean hasNext() {
            return input.hasNext();
        }

        @Override
        public String next() {
            String s = input.next();
            count++;
            return s;
        }
    }

    /** A reader's lines; an {@link IOException} surfaces as {@link UncheckedIOException}. */
    private static final class ReaderLines implements Iterator<String> {
        private final BufferedReader reader;
        private @Nullable String next;
        private boolean done;

        ReaderLines(BufferedReader reader) {
            this.reader = reader;
        }

        @Override
        public boolean hasNext() {
            if (next == null && !done) {
                try {
                    next = reader.readLine();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                done = next == null;
            }
            return next != null;
        }

        @Override
        public String next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            String s = next;
            next = null;
            return s;
        }
    }
}
