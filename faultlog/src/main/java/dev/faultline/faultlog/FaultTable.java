package dev.faultline.faultlog;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Renders decoded faults as an aligned text table for people: one row per fault with its line, format,
 * device, who faulted (stream id, requester, PASID), address, access ({@code rwxp}, {@code -} for no) and a
 * format-specific detail (event name, reason, flags), then a summary line, followed by one line per
 * {@link DecodeProblem} (what the decoder could not read and left out).
 */
public final class FaultTable {
    private static final String[] HEADINGS = {"LINE", "FORMAT", "DEVICE", "SOURCE", "ADDRESS", "ACCESS", "DETAIL"};
    private static final String GAP = "  ";

    private FaultTable() {
    }

    /** The table for {@code log}, ending with a summary line and a line terminator. */
    public static String render(DecodedLog log) {
        List<String[]> rows = new ArrayList<>();
        rows.add(HEADINGS);
        for (DecodedFault f : log.faults()) {
            rows.add(row(f));
        }
        int[] widths = new int[HEADINGS.length];
        for (String[] row : rows) {
            for (int c = 0; c < row.length; c++) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        if (!log.faults().isEmpty()) {
            for (String[] row : rows) {
                StringBuilder line = new StringBuilder();
                for (int c = 0; c < row.length; c++) {
                    if (c > 0) {
                        line.append(GAP);
                    }
                    // LINE is right-aligned, the rest left-aligned.
                    line.append(c == 0 ? pad(row[c], widths[c], true) : pad(row[c], widths[c], false));
                }
                sb.append(line.toString().stripTrailing()).append('\n');
            }
        }
        sb.append(summary(log)).append('\n');
        for (DecodeProblem p : log.problems()) {
            sb.append("  ").append(p).append('\n');
        }
        return sb.toString();
    }

    /**
     * {@code 3 faults in 120 lines, 110 lines not recognised}, and when the decoder left something out,
     * {@code , 2 unreadable (left out):}.
     */
    static String summary(DecodedLog log) {
        int n = log.faults().size();
        String s = n + (n == 1 ? " fault" : " faults") + " in " + log.lines() + (log.lines() == 1 ? " line, " : " lines, ")
                + log.ignoredLines() + (log.ignoredLines() == 1 ? " line" : " lines") + " not recognised";
        return log.problems().isEmpty() ? s : s + ", " + log.problems().size() + " unreadable (left out):";
    }

    private static String[] row(DecodedFault f) {
        return new String[] {
            Integer.toString(f.line()), f.format().key(), f.text(FaultField.DEVICE).orElse(""), source(f),
            hexOrEmpty(f.number(FaultField.ADDRESS)), access(f), detail(f)
        };
    }

    private static String source(DecodedFault f) {
        List<String> parts = new ArrayList<>();
        f.number(FaultField.SID).ifPresent(v -> parts.add("sid " + JsonLines.hex(v)));
        f.number(FaultField.SSID).ifPresent(v -> parts.add("ssid " + JsonLines.hex(v)));
        f.text(FaultField.REQUESTER).ifPresent(parts::add);
        f.number(FaultField.PASID).ifPresent(v -> parts.add("pasid " + JsonLines.hex(v)));
        return String.join(" ", parts);
    }

    private static String access(DecodedFault f) {
        FaultField[] bits = {FaultField.READ, FaultField.WRITE, FaultField.EXEC, FaultField.PRIV};
        char[] letters = {'r', 'w', 'x', 'p'};
        boolean any = false;
        StringBuilder sb = new StringBuilder(4);
        for (int i = 0; i < bits.length; i++) {
            any |= f.determined(bits[i]);
            sb.append(f.isTrue(bits[i]) ? letters[i] : '-');
        }
        return any ? sb.toString() : "";
    }

    private static String detail(DecodedFault f) {
        List<String> parts = new ArrayList<>();
        switch (f.format()) {
            case SMMUV3_EVENT -> {
                f.text(FaultField.EVENT).ifPresent(parts::add);
                f.number(FaultField.EVENT_ID).ifPresent(v -> parts.add(String.format("(0x%02x)", v)));
                f.text(FaultField.STAGE).ifPresent(parts::add);
                f.text(FaultField.CLASS).ifPresent(parts::add);
                if (f.isTrue(FaultField.STALL)) {
                    parts.add("stall");
                }
                f.number(FaultField.STAG).ifPresent(v -> parts.add("stag " + JsonLines.hex(v)));
                f.number(FaultField.IPA).ifPresent(v -> parts.add(v == 0 ? "" : "ipa " + JsonLines.hex(v)));
                f.number(FaultField.FETCH_ADDR).ifPresent(v -> parts.add("fetch " + JsonLines.hex(v)));
            }
            case SMMU_CONTEXT_FAULT -> {
                parts.add(String.join("|", f.names(FaultField.FSR_FLAGS)));
                f.number(FaultField.FSR).ifPresent(v -> parts.add("fsr " + JsonLines.hex(v)));
                f.number(FaultField.FSYNR).ifPresent(v -> parts.add("fsynr " + JsonLines.hex(v)));
                f.number(FaultField.CB).ifPresent(v -> parts.add("cb " + v));
            }
            case DMAR_FAULT, DMAR_INTR_REMAP -> {
                f.text(FaultField.TYPE).ifPresent(parts::add);
                f.number(FaultField.INDEX).ifPresent(v -> parts.add("index " + JsonLines.hex(v)));
                f.number(FaultField.REASON_CODE).ifPresent(v -> parts.add(String.format("[0x%02x]", v)));
                f.text(FaultField.REASON).ifPresent(parts::add);
            }
            case AMD_IO_PAGE_FAULT -> {
                f.number(FaultField.DOMAIN).ifPresent(v -> parts.add("domain " + JsonLines.hex(v)));
                f.number(FaultField.FLAGS).ifPresent(v -> parts.add("flags " + JsonLines.hex(v)));
                parts.add(String.join("|", f.names(FaultField.FLAG_NAMES)));
            }
            case MSM_GPU_FAULT -> {
                f.text(FaultField.TYPE).ifPresent(parts::add);
                f.text(FaultField.SOURCE).ifPresent(v -> parts.add("source " + v));
                f.number(FaultField.TTBR0).ifPresent(v -> parts.add("ttbr0 " + JsonLines.hex(v)));
            }
            case REMOTEPROC_CRASH -> {
                f.text(FaultField.RPROC).ifPresent(parts::add);
                f.text(FaultField.CRASH_TYPE).ifPresent(v -> parts.add("type " + v));
                f.number(FaultField.DA).ifPresent(v -> parts.add("da " + JsonLines.hex(v)));
            }
            case PRQ -> f.text(FaultField.REASON).ifPresent(parts::add);
        }
        parts.removeIf(String::isEmpty);
        return String.join(" ", parts);
    }

    private static String hexOrEmpty(OptionalLong v) {
        return v.isPresent() ? JsonLines.hex(v.getAsLong()) : "";
    }

    private static String pad(String s, int width, boolean right) {
        String fill = " ".repeat(width - s.length());
        return right ? fill + s : s + fill;
    }
}
