package dev.faultline.faultlog;

import dev.faultline.api.fault.HardwareRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Arm SMMU v1/v2 context faults (Linux arm_smmu_context_fault): the {@code Unhandled context fault:} summary, with
 * or without {@code cbfrsynra=}, and the {@code FSR    =} and {@code FSYNR0 =} lines newer kernels print
 * after it, which belong to the same report. Those two lines pasted without their summary are a report too.
 */
final class ContextFaultParser implements ReportParser {
    private static final String SUMMARY_START = "Unhandled context fault:";
    /** The kernel prints ", " between fields; a line wrapped by hand may move the comma: {@code fsr=0x402 / ,iova=}. */
    private static final Pattern SUMMARY = Pattern.compile("Unhandled context fault: fsr=0x([0-9a-fA-F]{1,8})\\s*,"
            + "\\s*iova=0x([0-9a-fA-F]{1,16})\\s*,\\s*fsynr=0x([0-9a-fA-F]{1,8})\\s*,"
            + "(?:\\s*cbfrsynra=0x([0-9a-fA-F]{1,8})\\s*,)?\\s*cb=(\\d{1,3})\\b.*");
    private static final Pattern FSR_LINE = Pattern.compile("FSR\\s+=\\s+([0-9a-fA-F]{8}) \\[[^\\]]*\\],"
            + " SID=0x([0-9a-fA-F]{1,8}).*");
    private static final Pattern FSYNR_LINE = Pattern.compile("FSYNR0\\s+=\\s+([0-9a-fA-F]{8}) \\[[^\\]]*\\].*");

    // Linux ARM_SMMU_CB_FSR_* (arm-smmu.h); FSR[10:9] is FORMAT, not a flag.
    private static final int[] FSR_BITS = {1, 2, 3, 4, 5, 6, 7, 8, 30, 31};
    private static final String[] FSR_NAMES = {"TF", "AFF", "PF", "EF", "TLBMCF", "TLBLKF", "ASF", "UUT", "SS", "MULTI"};
    private static final long FSR_SS = 1L << 30;
    // ARM_SMMU_CB_FSYNR0_*
    private static final long FSYNR0_WNR = 1L << 4;
    private static final long FSYNR0_PNU = 1L << 5;
    private static final long FSYNR0_IND = 1L << 6;
    /** {@code ARM_SMMU_CBFRSYNRA_SID} = [15:0]. */
    private static final long CBFRSYNRA_SID = 0xffffL;

    private final OpenReports<Open> open = new OpenReports<>();

    @Override
    public boolean take(LogLine line, LogLines more, Reports out) {
        DeviceMessage dm = DeviceMessage.parse(line.text());
        if (dm == null) {
            return false;
        }
        String message = dm.message();
        if (message.startsWith(SUMMARY_START)) {
            Continuation c = Continuation.join(message, more, t -> SUMMARY.matcher(t).matches());
            Matcher m = SUMMARY.matcher(c.text());
            if (!m.matches()) {
                out.problem(line.number(), FaultFormat.SMMU_CONTEXT_FAULT, "'" + Values.quoted(message)
                        + "' is cut short or has a value that is not a number: not a fault");
                return false;
            }
            Open o = new Open(line.number(), Long.parseLong(m.group(1), 16), Long.parseLong(m.group(3), 16));
            o.lines = line.nonBlankInputLines() + c.nonBlankInputLines();
            summary(o.fields, dm.device(), m);
            open.open(dm.device(), o, out);
            return true;
        }
        Open o = open.get(dm.device());
        if (o == null) {
            return registersWithoutSummary(line, dm, more, out);
        }
        Matcher m = FSR_LINE.matcher(message);
        if (m.matches() && !o.fsrSeen && Long.parseLong(m.group(1), 16) == o.fsr) {
            o.fsrSeen = true;
            if (!o.fields.has(FaultField.SID)) {
                o.fields.number(FaultField.SID, Long.parseLong(m.group(2), 16));
            }
        } else if ((m = FSYNR_LINE.matcher(message)).matches() && !o.fsynrSeen
                && Long.parseLong(m.group(1), 16) == o.fsynr) {
            o.fsynrSeen = true;
        } else {
            return false;
        }
        o.lines += line.nonBlankInputLines();
        if (o.fsrSeen && o.fsynrSeen) {
            open.close(dm.device(), out);
        }
        return true;
    }

    @Override
    public void finish(Reports out) {
        open.closeAll(out);
    }

    /**
     * An {@code FSR =} line and the {@code FSYNR0 =} line after it, pasted without their {@code Unhandled context
     * fault:} summary: still the report, with what those two registers say (no address, no context bank).
     */
    private static boolean registersWithoutSummary(LogLine line, DeviceMessage dm, LogLines more, Reports out) {
        Matcher fsrLine = FSR_LINE.matcher(dm.message());
        List<LogLine> next = more.peek(1 + Continuation.MAX_LINES);
        DeviceMessage nextDm = next.isEmpty() ? null : DeviceMessage.parse(next.get(0).text());
        if (!fsrLine.matches() || nextDm == null || !nextDm.device().equals(dm.device())) {
            return false;
        }
        // The FSYNR0 line, joined with the lines a mail client wrapped it onto ("[S1CBNDX=0" / "PNU PLVL=1]").
        String text = nextDm.message();
        int taken = 1;
        int nextLines = next.get(0).nonBlankInputLines();
        Matcher fsynrLine = FSYNR_LINE.matcher(text);
        while (!fsynrLine.matches() && text.startsWith("FSYNR0") && taken < next.size()
                && !next.get(taken).text().isEmpty()) {
            text = text + " " + next.get(taken).text();
            nextLines += next.get(taken).nonBlankInputLines();
            taken++;
            fsynrLine = FSYNR_LINE.matcher(text);
        }
        if (!fsynrLine.matches()) {
            return false;
        }
        more.skip(taken);
        long fsr = Long.parseLong(fsrLine.group(1), 16);
        long fsynr = Long.parseLong(fsynrLine.group(1), 16);
        FaultBuilder b = new FaultBuilder().text(FaultField.DEVICE, dm.device());
        b.number(FaultField.FSR, fsr).names(FaultField.FSR_FLAGS, fsrFlags(fsr)).flag(FaultField.STALL, (fsr & FSR_SS) != 0);
        b.number(FaultField.SID, Long.parseLong(fsrLine.group(2), 16));
        fsynr(b, fsynr);
        out.add(b.build(FaultFormat.SMMU_CONTEXT_FAULT, line.number(), HardwareRecord.NONE),
                line.nonBlankInputLines() + nextLines);
        return true;
    }

    /** FSYNR0 and what its WNR, PNU and IND bits say. */
    private static void fsynr(FaultBuilder b, long fsynr) {
        b.number(FaultField.FSYNR, fsynr).direction((fsynr & FSYNR0_WNR) != 0);
        b.flag(FaultField.PRIV, (fsynr & FSYNR0_PNU) != 0).flag(FaultField.EXEC, (fsynr & FSYNR0_IND) != 0);
    }

    private static void summary(FaultBuilder b, String device, Matcher m) {
        long fsr = Long.parseLong(m.group(1), 16);
        long fsynr = Long.parseLong(m.group(3), 16);
        b.text(FaultField.DEVICE, device);
        b.number(FaultField.FSR, fsr).names(FaultField.FSR_FLAGS, fsrFlags(fsr));
        b.flag(FaultField.STALL, (fsr & FSR_SS) != 0);
        b.number(FaultField.ADDRESS, Long.parseUnsignedLong(m.group(2), 16));
        fsynr(b, fsynr);
        if (m.group(4) != null) {
            long cbfrsynra = Long.parseLong(m.group(4), 16);
            b.number(FaultField.CBFRSYNRA, cbfrsynra).number(FaultField.SID, cbfrsynra & CBFRSYNRA_SID);
        }
        b.number(FaultField.CB, Long.parseLong(m.group(5)));
    }

    /** The names of the FSR bits that are set, in bit order. */
    static List<String> fsrFlags(long fsr) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < FSR_BITS.length; i++) {
            if ((fsr >>> FSR_BITS[i] & 1) != 0) {
                names.add(FSR_NAMES[i]);
            }
        }
        return names;
    }

    /** A summary waiting for its FSR and FSYNR0 lines. */
    private static final class Open implements OpenReports.Report {
        final FaultBuilder fields = new FaultBuilder();
        final int line;
        final long fsr;
        final long fsynr;
        int lines;
        boolean fsrSeen;
        boolean fsynrSeen;

        Open(int line, long fsr, long fsynr) {
            this.line = line;
            this.fsr = fsr;
            this.fsynr = fsynr;
        }

        @Override
        public DecodedFault decode() {
            return fields.build(FaultFormat.SMMU_CONTEXT_FAULT, line, HardwareRecord.NONE);
        }

        @Override
        public int lines() {
            return lines;
        }
    }
}
