package dev.faultline.faultlog;

import dev.faultline.api.fault.HardwareRecord;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * remoteproc crash reports (Linux rproc_report_crash): {@code remoteproc remoteprocN: crash detected in <name>: type
 * <type>}. The {@code iommu fault: da 0x.. flags 0x..} line {@code rproc_iommu_fault} prints before an
 * {@code mmufault} crash belongs to that crash's report; one that no {@code mmufault} crash follows is a
 * report of its own. The driver's reason text, {@code handling crash} and {@code recovering} are context.
 */
final class RemoteprocCrashParser implements ReportParser {
    private static final Pattern CRASH = Pattern.compile("crash detected in (.+): type (.+)");
    private static final Pattern IOMMU_FAULT = Pattern.compile(
            "(?:^|\\s)iommu fault: da 0x([0-9a-fA-F]{1,16}) flags 0x([0-9a-fA-F]{1,8})\\b.*");
    private static final String IOMMU_FAULT_START = "iommu fault: da ";
    /** {@code rproc_crash_to_string()}: the types a crash line prints. */
    private static final java.util.Set<String> CRASH_TYPES = java.util.Set.of("mmufault", "watchdog", "fatal error",
            "unknown");
    /** {@code rproc_crash_to_string(RPROC_MMUFAULT)}. */
    private static final String MMUFAULT = "mmufault";
    /** {@code IOMMU_FAULT_WRITE}. */
    private static final long IOMMU_FAULT_WRITE = 1;

    private @Nullable FaultBuilder pendingFault;
    private int pendingLine;
    private int pendingLines;

    @Override
    public boolean take(LogLine line, LogLines more, Reports out) {
        Matcher iommu = IOMMU_FAULT.matcher(line.text());
        if (iommu.find()) {
            finish(out);
            long flags = Long.parseLong(iommu.group(2), 16);
            pendingFault = new FaultBuilder().number(FaultField.DA, Long.parseUnsignedLong(iommu.group(1), 16))
                    .number(FaultField.FLAGS, flags).direction((flags & IOMMU_FAULT_WRITE) != 0);
            pendingLine = line.number();
            pendingLines = line.nonBlankInputLines();
            return true;
        }
        if (line.text().contains(IOMMU_FAULT_START)) {
            out.problem(line.number(), FaultFormat.REMOTEPROC_CRASH, "'" + Values.quoted(line.text().substring(
                    line.text().indexOf(IOMMU_FAULT_START))) + "' has a value that is not a number: not a fault");
            return false;
        }
        DeviceMessage dm = DeviceMessage.parse(line.text());
        Matcher m = dm == null ? null : CRASH.matcher(dm.message());
        if (m == null || !m.matches()) {
            return false;
        }
        if (!CRASH_TYPES.contains(m.group(2).strip())) {
            // "type fatal" / "error": a type the mail client wrapped is joined back when that makes a known one.
            Continuation c = Continuation.join(dm.message(), more, t -> knownType(CRASH.matcher(t)));
            if (c.lines() > 0) {
                m = CRASH.matcher(c.text());
                m.matches();
                line = new LogLine(line.number(), line.nonBlankInputLines() + c.nonBlankInputLines(), line.text(),
                        line.width());
            }
        }
        FaultBuilder b = new FaultBuilder().text(FaultField.DEVICE, dm.device());
        b.text(FaultField.RPROC, m.group(1).strip()).text(FaultField.CRASH_TYPE, m.group(2).strip());
        int lines = line.nonBlankInputLines();
        if (pendingFault != null && m.group(2).strip().equals(MMUFAULT)) {
            b.fillFrom(pendingFault);
            lines += pendingLines;
            pendingFault = null;
        } else {
            finish(out);
        }
        out.add(b.build(FaultFormat.REMOTEPROC_CRASH, line.number(), HardwareRecord.NONE), lines);
        return true;
    }

    private static boolean knownType(Matcher m) {
        return m.matches() && CRASH_TYPES.contains(m.group(2).strip());
    }

    @Override
    public void finish(Reports out) {
        if (pendingFault != null) {
            out.add(pendingFault.build(FaultFormat.REMOTEPROC_CRASH, pendingLine, HardwareRecord.NONE), pendingLines);
            pendingFault = null;
        }
    }
}
