package dev.faultline.faultlog;

import dev.faultline.api.fault.HardwareRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * AMD-Vi {@code IO_PAGE_FAULT} events (Linux amd_iommu_report_page_fault): the {@code pci_err} form with the faulting
 * device as the line's prefix, the {@code device=} forms (with or without PCI segment), the old
 * {@code AMD IOMMU:} prefix, and old kernels whose {@code Event logged [} and the {@code IO_PAGE_FAULT ...]}
 * continuation are two log lines. Other event types are not page faults and are left alone.
 */
final class AmdPageFaultParser implements ReportParser {
    private static final Pattern START = Pattern.compile("(?:^|\\s)(?:AMD-Vi|AMD IOMMU): Event logged \\[");
    private static final Pattern EVENT = Pattern.compile("\\s*IO_PAGE_FAULT\\s+(?:device=(?<dev>[0-9a-fA-F:.]+)\\s+)?"
            + "domain=0x(?<domain>[0-9a-fA-F]{1,8})\\s+address=0x(?<addr>[0-9a-fA-F]{1,16})\\s+"
            + "flags=0x(?<flags>[0-9a-fA-F]{1,4})\\b.*");
    /** The {@code pci_err} prefix: {@code <driver> ssss:bb:dd.f: }. */
    private static final Pattern PCI_PREFIX = Pattern.compile(
            "(?:.*\\s)?\\S+ ([0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7]):");

    // AMD IOMMU spec 48882 §2.5.3: bit n of the printed flags is event bit 48 + n.
    private static final String[] FLAG_NAMES = {"GN", "NX", "US", "I", "PR", "RW", "PE", "RZ", "TR"};
    private static final long FLAG_GN = 0x001;
    /** {@code EVENT_FLAG_I}: an interrupt request, which has no read/write direction. */
    private static final long FLAG_I = 0x008;
    /** {@code EVENT_FLAG_RW}. */
    private static final long FLAG_RW = 0x020;

    @Override
    public boolean take(LogLine line, LogLines more, Reports out) {
        Matcher start = START.matcher(line.text());
        if (!start.find()) {
            return false;
        }
        String body = line.text().substring(start.end());
        Continuation c = Continuation.join(body, more, t -> EVENT.matcher(t).matches());
        Matcher m = EVENT.matcher(c.text());
        if (!m.matches()) {
            if (body.strip().startsWith("IO_PAGE_FAULT")) {
                out.problem(line.number(), FaultFormat.AMD_IO_PAGE_FAULT, "'" + Values.quoted(body.strip())
                        + "' is cut short or has a value that is not a number: not a fault");
            }
            return false;
        }
        FaultBuilder b = new FaultBuilder();
        Matcher prefix = PCI_PREFIX.matcher(line.text().substring(0, start.start()).strip());
        if (m.group("dev") != null) {
            b.text(FaultField.DEVICE, m.group("dev"));
        } else if (prefix.matches()) {
            b.text(FaultField.DEVICE, prefix.group(1));
        }
        long flags = Long.parseLong(m.group("flags"), 16);
        b.number(FaultField.DOMAIN, Long.parseLong(m.group("domain"), 16));
        b.number(FaultField.ADDRESS, Long.parseUnsignedLong(m.group("addr"), 16));
        b.number(FaultField.FLAGS, flags).names(FaultField.FLAG_NAMES, flagNames(flags));
        if ((flags & FLAG_I) == 0) {
            b.direction((flags & FLAG_RW) != 0);
        }
        if ((flags & FLAG_GN) == 0) {
            b.none(FaultField.PASID);
        }
        // GN = 1: domain= holds only PASID[15:0], so the PASID is not determinable.
        out.add(b.build(FaultFormat.AMD_IO_PAGE_FAULT, line.number(), HardwareRecord.NONE),
                line.nonBlankInputLines() + c.nonBlankInputLines());
        return true;
    }

    @Override
    public void finish(Reports out) {
        // Every report is finished on its own lines.
    }

    private static List<String> flagNames(long flags) {
        List<String> names = new ArrayList<>();
        for (int bit = 0; bit < FLAG_NAMES.length; bit++) {
            if ((flags >>> bit & 1) != 0) {
                names.add(FLAG_NAMES[bit]);
            }
        }
        return names;
    }
}
