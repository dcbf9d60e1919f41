package dev.faultline.platform.log;

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
        List<ReportParser> parsers = List.of(new SmmuV3EventParser(), new ContextFaultParser(),
                new DmarFaultParser(), new PageRequestParser(), new AmdPageFaultParser(), new MsmGpuFaultParser(),
                new RemoteprocCrashParser());
        for (LogLine line = lines.next(); line != null; line = lines.next()) {
            if (line.text().isEmpty()) {
                continue;
            }
            for (ReportParser parser : parsers) {
                if (parser.take(line, lines, reports)) {
                    break;
                }
            }
        }
        for (ReportParser parser : parsers) {
            parser.finish(reports);
        }
        int ignored = lines.nonBlankInputLines() - reports.attributedLines();
        return new DecodedLog(reports.inLogOrder(), counted.count, ignored, reports.problemsInLogOrder());
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
        private String next;
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
