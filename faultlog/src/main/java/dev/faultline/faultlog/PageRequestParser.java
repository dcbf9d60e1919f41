package dev.faultline.faultlog;

import dev.faultline.api.fault.HardwareRecord;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * VT-d page requests the kernel rejected (Linux intel/prq.c): a reason line ({@code IOMMU: dmarN: Page
 * request in Privilege Mode}, or the older wording without the unit) followed by
 * {@code dmarN: Invalid page request: <qw0> <qw1>}; the two are one report. A dump without a reason line is a
 * report of its own; a reason line whose dump never comes is no fault (a {@link DecodeProblem}).
 */
final class PageRequestParser implements ReportParser {
    /** Name of the raw descriptor in {@link HardwareRecord}: {@code struct page_req_dsc} qwords 0 and 1. */
    static final String RECORD_FORMAT = "vtd-prq";

    private static final Pattern REASON = Pattern.compile("(?:^|\\s)IOMMU: (\\S+): (Page request in Privilege Mode"
            + "|Address is not canonical|Execution request not supported)\\s*");
    private static final Pattern OLD_REASON = Pattern.compile(
            "(?:^|\\s)(?:DMAR: )?(Unexpected page request in Privilege Mode|Execution request not supported)\\s*");
    private static final Pattern DUMP = Pattern.compile(
            "(?:^|\\s)([\\w.-]+): Invalid page request: ([0-9a-fA-F]{1,16}) ([0-9a-fA-F]{1,16})\\b.*");
    private static final String DUMP_START = "Invalid page request: ";
    /** A dump belongs to a reason line at most this many input lines before it. */
    private static final int PAIRING_WINDOW = 8;

    // struct page_req_dsc (VT-d page request descriptor)
    private static final long QW0_PASID_PRESENT = 1L << 8;
    private static final int QW0_RID_SHIFT = 16;
    private static final int QW0_PASID_SHIFT = 32;
    private static final long QW0_PASID = 0xfffffL;
    private static final long QW0_EXE_REQ = 1L << 52;
    private static final long QW0_PM_REQ = 1L << 53;
    private static final long QW1_RD_REQ = 1L << 0;
    private static final long QW1_WR_REQ = 1L << 1;
    private static final long QW1_ADDR = ~0xfffL;

    private @Nullable String pendingUnit;
    private @Nullable String pendingReason;
    private int pendingLine;
    private int pendingLines;

    @Override
    public boolean take(LogLine line, LogLines more, Reports out) {
        String text = line.text();
        Matcher m;
        if ((m = REASON.matcher(text)).matches() || (m = OLD_REASON.matcher(text)).matches()) {
            finish(out);
            boolean withUnit = m.groupCount() == 2;
            pendingUnit = withUnit ? m.group(1) : null;
            pendingReason = withUnit ? m.group(2) : m.group(1);
            pendingLine = line.number();
            pendingLines = line.nonBlankInputLines();
            return true;
        }
        if (!(m = DUMP.matcher(text)).matches()) {
            if (text.contains(DUMP_START)) {
                out.problem(line.number(), FaultFormat.PRQ, "'" + Values.quoted(text.substring(
                        text.indexOf(DUMP_START))) + "' is cut short or not two hexadecimal qwords: not a fault");
            }
            return false;
        }
        String unit = m.group(1);
        long qw0 = Long.parseUnsignedLong(m.group(2), 16);
        long qw1 = Long.parseUnsignedLong(m.group(3), 16);
        FaultBuilder b = descriptor(unit, qw0, qw1);
        int anchor = line.number();
        int lines = line.nonBlankInputLines();
        if (pendingReason != null && (pendingUnit == null || pendingUnit.equals(unit))
                && line.number() - pendingLine <= PAIRING_WINDOW) {
            b.text(FaultField.REASON, pendingReason);
            anchor = pendingLine;
            lines += pendingLines;
            pendingReason = null;
        } else {
            finish(out);
        }
        out.add(b.build(FaultFormat.PRQ, anchor, HardwareRecord.of(RECORD_FORMAT, qw0, qw1)), lines);
        return true;
    }

    @Override
    public void finish(Reports out) {
        if (pendingReason != null) {
            // A reason line whose descriptor never came names no requester and no address: no fault.
            out.problem(pendingLine, FaultFormat.PRQ, "'" + pendingReason
                    + "' without the page request it rejected: not a fault");
            pendingReason = null;
        }
    }

    private static FaultBuilder descriptor(String unit, long qw0, long qw1) {
        FaultBuilder b = new FaultBuilder().text(FaultField.DEVICE, unit);
        int rid = (int) (qw0 >>> QW0_RID_SHIFT & 0xffff);
        b.text(FaultField.REQUESTER, String.format("%02x:%02x.%x", rid >>> 8, rid >>> 3 & 0x1f, rid & 7));
        if ((qw0 & QW0_PASID_PRESENT) != 0) {
            b.number(FaultField.PASID, qw0 >>> QW0_PASID_SHIFT & QW0_PASID);
        } else {
            b.none(FaultField.PASID);
        }
        b.number(FaultField.ADDRESS, qw1 & QW1_ADDR);
        b.flag(FaultField.READ, (qw1 & QW1_RD_REQ) != 0).flag(FaultField.WRITE, (qw1 & QW1_WR_REQ) != 0);
        b.flag(FaultField.EXEC, (qw0 & QW0_EXE_REQ) != 0).flag(FaultField.PRIV, (qw0 & QW0_PM_REQ) != 0);
        return b;
    }
}
