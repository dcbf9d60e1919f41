package dev.faultline.faultlog;

import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.platform.vtd.FaultReason;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Intel VT-d fault recording messages (Linux dmar_fault_do_one), every historical form: {@code [DMA Read NO_PASID]},
 * {@code [DMA Write PASID 0x..]}, the PASID-era {@code PASID ffffffff}, the oldest form without PASID, the
 * 3.x form split over two {@code DMAR:} lines, and {@code [INTR-REMAP] ... fault index}. Reason numbers
 * printed with {@code 0x} are hex; without it they are the older {@code %02d} decimal. A line the mailer
 * wrapped is joined with its continuation lines, including a reason text wrapped onto a line of its own.
 */
final class DmarFaultParser implements ReportParser {
    private static final Pattern START = Pattern.compile(
            "(?:^|\\s)(?:DMAR|dmar)(?:-IR)?:\\s*(?:DMAR:\\s*)?\\[(DMA Read|DMA Write|INTR-REMAP)");
    private static final Pattern FAULT = Pattern.compile("\\[(?<type>DMA Read|DMA Write|INTR-REMAP)"
            + "(?: (?<tag>NO_PASID|PASID (?:0x)?[0-9a-fA-F]{1,8}))?\\]\\s*Request device \\[(?<req>[^\\]]*)\\]\\s*"
            + "(?:PASID (?<oldpasid>[0-9a-fA-F]{1,8})\\s+)?fault (?<what>addr|index)\\s+(?<addr>[^\\s\\[]+)"
            + "(?:\\s*(?:DMAR:\\s*)?\\[fault reason (?<hex>0x)?(?<code>[0-9a-fA-F]{1,3})(?<h>h)?\\]\\s*(?<text>.*))?");
    private static final Pattern REQUESTER = Pattern.compile(
            "(?:0x)?([0-9a-fA-F]{1,2}):(?:0x)?([0-9a-fA-F]{1,2})\\.([0-7])");
    /** {@code INVALID_IOASID}: what the PASID-era form prints for a request without PASID. */
    private static final long PASID_ERA_NONE = 0xffff_ffffL;
    private static final int MAX_REASON_CODE = 0xff;

    @Override
    public boolean take(LogLine line, LogLines more, Reports out) {
        Matcher start = START.matcher(line.text());
        if (!start.find()) {
            return false;
        }
        String text = line.text().substring(start.start(1) - 1);
        Continuation c = Continuation.join(text, more, DmarFaultParser::complete);
        FaultBuilder b = new FaultBuilder();
        int lines = line.nonBlankInputLines() + c.nonBlankInputLines();
        Matcher m = FAULT.matcher(c.text());
        boolean intr = start.group(1).equals("INTR-REMAP");
        FaultFormat format = intr ? FaultFormat.DMAR_INTR_REMAP : FaultFormat.DMAR_FAULT;
        if (!m.lookingAt()) {
            // Cut short before the address: it says neither who nor where, so it is no fault.
            out.problem(line.number(), format, "'" + Values.quoted(text) + "' is cut short before the fault "
                    + (intr ? "index" : "address") + ": not a fault");
            return true;
        }
        type(b, m.group("type"));
        requester(b, m.group("req"));
        if (!intr) {
            pasid(b, m.group("tag"), m.group("oldpasid"));
        }
        Long address = Values.hex(m.group("addr"));
        if (address != null) {
            b.number(intr ? FaultField.INDEX : FaultField.ADDRESS, address);
        } else {
            Values.notHex(out, line, format, "fault " + m.group("what"), m.group("addr"));
        }
        if (m.group("code") != null) {
            lines += reason(b, m, more);
        }
        out.add(b.build(format, line.number(), HardwareRecord.NONE), lines);
        return true;
    }

    @Override
    public void finish(Reports out) {
        // Every report is finished on its own lines.
    }

    private static boolean complete(String text) {
        Matcher m = FAULT.matcher(text);
        return m.lookingAt() && m.group("code") != null;
    }

    private static void type(FaultBuilder b, String type) {
        b.text(FaultField.TYPE, type);
        if (!type.equals("INTR-REMAP")) {
            b.direction(type.equals("DMA Write"));
        }
    }

    /** {@code 00:0d.0}, or the v5.14 form {@code 0x00:0x02.0}; a redacted {@code xx:xx.x} says nothing. */
    private static void requester(FaultBuilder b, String printed) {
        Matcher m = REQUESTER.matcher(printed.strip());
        if (m.matches()) {
            b.text(FaultField.REQUESTER, String.format("%02x:%02x.%s", Integer.parseInt(m.group(1), 16),
                    Integer.parseInt(m.group(2), 16), m.group(3)));
        }
    }

    private static void pasid(FaultBuilder b, String tag, String pasidEra) {
        if (tag != null) {
            if (tag.equals("NO_PASID")) {
                b.none(FaultField.PASID);
            } else {
                String v = tag.substring("PASID ".length());
                b.number(FaultField.PASID, Long.parseLong(v.startsWith("0x") ? v.substring(2) : v, 16));
            }
        } else if (pasidEra != null) {
            long v = Long.parseLong(pasidEra, 16);
            if (v == PASID_ERA_NONE) {
                b.none(FaultField.PASID);
            } else {
                b.number(FaultField.PASID, v);
            }
        }
        // The oldest form prints no PASID at all: not determinable.
    }

    /**
     * Decodes the reason number (hex with {@code 0x} or an {@code h} suffix, else the older decimal) and takes
     * the lines that continue a wrapped reason text.
     *
     * @return the non-blank input lines taken
     */
    private static int reason(FaultBuilder b, Matcher m, LogLines more) {
        String digits = m.group("code");
        boolean hex = m.group("hex") != null || m.group("h") != null || !digits.chars().allMatch(Character::isDigit);
        int code = Integer.parseInt(digits, hex ? 16 : 10);
        b.number(FaultField.REASON_CODE, code);
        FaultReason reason = code <= MAX_REASON_CODE ? FaultReason.of(code) : null;
        b.text(FaultField.REASON, reason == null ? FaultReason.UNKNOWN_TEXT : reason.description());
        b.text(FaultField.FAULT_TYPE, reason == null ? "UNKNOWN" : reason.type().name());
        if (reason == null) {
            return 0;
        }
        String printed = m.group("text").strip();
        int taken = 0;
        for (int joined = 0; joined < Continuation.MAX_LINES && !printed.equals(reason.description()); joined++) {
            LogLine next = more.peek();
            if (next == null || next.text().isEmpty()
                    || !reason.description().startsWith((printed + " " + next.text()).strip())) {
                break;
            }
            printed = (printed + " " + next.text()).strip();
            taken += next.nonBlankInputLines();
            more.next();
        }
        return taken;
    }
}
