package dev.faultline.faultlog;

import dev.faultline.api.fault.HardwareRecord;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * msm/Adreno GPU SMMU faults (Linux adreno_fault_handler): {@code *** gpu fault: ttbr0=... iova=... dir=... type=...
 * source=... (a,b,c,d)}, its fallbacks without SMMU fault info ({@code iova=... flags=...}), and the
 * {@code msm_iommu.c} {@code *** fault: iova=..., flags=...} line. A line the mailer wrapped is joined back.
 * The hang-check message {@code *ERROR* gpu fault ring ...} is not an IOMMU fault and is not matched.
 */
final class MsmGpuFaultParser implements ReportParser {
    private static final Pattern START = Pattern.compile("(?:^|\\s)\\*\\*\\* (gpu )?fault: ");
    private static final Pattern SCRATCH = Pattern.compile("\\(\\d+,\\d+,\\d+,\\d+\\)");
    private static final Pattern FLAGS = Pattern.compile("\\bflags=\\s*\\d+");
    private static final Pattern PAIR = Pattern.compile("(\\w+)=\\s*([^\\s,()]+)");
    /** {@code IOMMU_FAULT_WRITE} in the {@code flags=} of the fallback forms. */
    private static final long IOMMU_FAULT_WRITE = 1;

    @Override
    public boolean take(LogLine line, LogLines more, Reports out) {
        Matcher start = START.matcher(line.text());
        if (!start.find()) {
            return false;
        }
        boolean gpu = start.group(1) != null;
        String body = line.text().substring(start.end());
        // The gpu forms end with the CP scratch registers; the msm_iommu form with flags=.
        Continuation c = Continuation.join(body, more,
                t -> gpu ? SCRATCH.matcher(t).find() : FLAGS.matcher(t).find());
        FaultBuilder b = new FaultBuilder();
        Matcher pair = PAIR.matcher(c.text());
        while (pair.find()) {
            field(b, pair.group(1), pair.group(2), line, out);
        }
        if (!b.has(FaultField.ADDRESS)) {
            out.problem(line.number(), FaultFormat.MSM_GPU_FAULT, "no readable iova: not a fault");
            return false;
        }
        out.add(b.build(FaultFormat.MSM_GPU_FAULT, line.number(), HardwareRecord.NONE),
                line.nonBlankInputLines() + c.nonBlankInputLines());
        return true;
    }

    @Override
    public void finish(Reports out) {
        // Every report is finished on its own lines.
    }

    private static void field(FaultBuilder b, String key, String value, LogLine line, Reports out) {
        switch (key) {
            case "ttbr0", "iova" -> {
                Long v = Values.hex(value);
                if (v != null) {
                    b.number(key.equals("iova") ? FaultField.ADDRESS : FaultField.TTBR0, v);
                } else {
                    Values.notHex(out, line, FaultFormat.MSM_GPU_FAULT, key, value);
                }
            }
            case "dir" -> {
                if (value.equals("READ") || value.equals("WRITE")) {
                    b.direction(value.equals("WRITE"));
                }
            }
            case "type" -> b.text(FaultField.TYPE, value);
            case "source" -> b.text(FaultField.SOURCE, value);
            case "cb" -> {
                if (value.matches("\\d{1,9}")) {
                    b.number(FaultField.CB, Long.parseLong(value));
                }
            }
            case "flags" -> {
                if (value.matches("\\d{1,9}") && !b.has(FaultField.WRITE)) {
                    b.direction((Long.parseLong(value) & IOMMU_FAULT_WRITE) != 0);
                }
            }
            default -> {
                // cb0_ttbr0, cb1_ttbr0 and anything newer: not a field of this format.
            }
        }
    }
}
