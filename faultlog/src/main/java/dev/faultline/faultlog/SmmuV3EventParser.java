package dev.faultline.faultlog;

import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.platform.smmuv3.EventId;
import dev.faultline.platform.smmuv3.EventType;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Arm SMMUv3 event reports (IHI 0070 §7.3; arm_smmu_dump_event): the raw dump {@code event 0xNN received:} with four
 * {@code 0x%016llx} dword lines, the decoded lines of 6.14+ ({@code event: ... client: ...} and the access
 * line), or both, which are one report (where they differ, the raw dwords win). Four dword lines pasted without
 * their header line are a report too: the record names its event. Lines are matched to the open report of the same SMMU device, so
 * unrelated lines may come in between.
 */
final class SmmuV3EventParser implements ReportParser {
    /** Name of the raw record in {@link HardwareRecord}. */
    static final String RECORD_FORMAT = "smmuv3-event";

    private static final Pattern HEADER = Pattern.compile("event 0x([0-9a-fA-F]{1,2}) received:?");
    /** A dword; one real report pasted it with a space in the middle ({@code 0x00000180 00000010}). */
    private static final Pattern DWORD = Pattern.compile("0x([0-9a-fA-F]{1,16})(?: ([0-9a-fA-F]{1,16}))?");
    /** {@code 0x%016llx}: a dword is printed with 16 digits. */
    private static final int DWORD_DIGITS = 16;
    /** The rest of a dword a mail client wrapped at the space of a {@code 0x00000180 00000010} paste. */
    private static final Pattern HALF = Pattern.compile("[0-9a-fA-F]{1,15}");
    private static final Pattern DECODED = Pattern.compile("event: (\\S+) client: (.+?) sid: 0x([0-9a-fA-F]{1,8})"
            + " ssid: 0x([0-9a-fA-F]{1,8})(?: iova: 0x([0-9a-fA-F]{1,16})\\b)?(?: ipa: 0x([0-9a-fA-F]{1,16})\\b)?"
            + "(?: fetch_addr: 0x([0-9a-fA-F]{1,16})\\b)?.*");
    /** The access line; a later unrelated message may run into its end. */
    private static final Pattern ACCESS = Pattern.compile("(priv|unpriv) (inst|data) (read|write) (s1|s2)"
            + " \"([^\"]*)\"(?: ttd_read| ttd_write)?( stall)? stag: 0x([0-9a-fA-F]{1,4})\\b.*");

    // IHI 0070 §7.3, Linux EVTQ_* (arm-smmu-v3.h)
    private static final long EVTQ_0_ID = 0xffL;
    private static final long EVTQ_0_SSV = 1L << 11;
    private static final int EVTQ_0_SSID_SHIFT = 12;
    private static final long EVTQ_0_SSID = 0xfffffL;
    private static final int EVTQ_0_SID_SHIFT = 32;
    private static final long EVTQ_1_STAG = 0xffffL;
    private static final long EVTQ_1_STALL = 1L << 31;
    private static final long EVTQ_1_PNU = 1L << 33;
    private static final long EVTQ_1_IND = 1L << 34;
    private static final long EVTQ_1_RNW = 1L << 35;
    private static final long EVTQ_1_S2 = 1L << 39;
    private static final int EVTQ_1_CLASS_SHIFT = 40;
    /** {@code EVTQ_3_IPA} = GENMASK_ULL(51, 12). */
    private static final long EVTQ_3_IPA = 0x000f_ffff_ffff_f000L;
    /** {@code EVTQ_3_FETCH_ADDR} = GENMASK_ULL(51, 3). */
    private static final long EVTQ_3_FETCH_ADDR = 0x000f_ffff_ffff_fff8L;
    /** CLASS values 0-3 (IHI 0070 §7.3.22); the spec reserves 3. */
    private static final String[] CLASS_NAMES = {"CD", "TT", "IN", "RESERVED"};
    /** Linux {@code event_class_str[]}, the same order. */
    private static final String[] CLASS_STRINGS = {
        "CD fetch", "Stage 1 translation table fetch", "Input address caused fault", "Reserved"
    };
    private static final int DWORDS = 4;

    private final OpenReports<OpenEvent> open = new OpenReports<>();

    @Override
    public boolean take(LogLine line, LogLines more, Reports out) {
        DeviceMessage dm = DeviceMessage.parse(line.text());
        if (dm == null) {
            return false;
        }
        String message = dm.message();
        OpenEvent event = open.get(dm.device());
        Matcher m;
        if ((m = HEADER.matcher(message)).matches()) {
            OpenEvent e = new OpenEvent(dm.device(), line.number());
            e.headerId = Integer.parseInt(m.group(1), 16);
            e.add(line);
            open.open(dm.device(), e, out);
            return true;
        }
        if ((m = DWORD.matcher(message)).matches()) {
            String digits = m.group(1) + (m.group(2) == null ? "" : m.group(2));
            if (digits.length() > DWORD_DIGITS) {
                return false;
            }
            boolean continues = event != null && event.count < DWORDS && event.decoded == null && !event.dwordsBroken;
            if (!continues && !headerlessDump(dm.device(), more)) {
                return false;
            }
            LogLine rest = more.peek();
            if (digits.length() < DWORD_DIGITS && rest != null && HALF.matcher(rest.text()).matches()
                    && digits.length() + rest.text().length() == DWORD_DIGITS) {
                // "0x00000180 00000010" wrapped at its space: the kernel prints 16 digits, so the rest follows.
                digits += rest.text();
                more.next();
                line = new LogLine(line.number(), line.nonBlankInputLines() + rest.nonBlankInputLines(), line.text(),
                        rest.width());
            }
            if (!continues) {
                // A dump pasted without its "event 0xNN received:" line: the record still says everything.
                event = new OpenEvent(dm.device(), line.number());
                open.open(dm.device(), event, out);
            }
            event.dwords[event.count++] = Long.parseUnsignedLong(digits, 16);
            event.add(line);
            return true;
        }
        if (message.startsWith("0x") && event != null && event.count < DWORDS && event.decoded == null
                && !event.dwordsBroken) {
            // A dword that is not one: the record ends here, so that no later dword takes its place.
            out.problem(line.number(), FaultFormat.SMMUV3_EVENT, "dword " + (event.count) + " '"
                    + Values.firstToken(message) + "' is not a 64-bit hexadecimal number: the record is left at "
                    + event.count + " dwords");
            event.dwordsBroken = true;
            event.add(line);
            return true;
        }
        if ((m = DECODED.matcher(message)).matches()) {
            String name = m.group(1);
            long sid = Long.parseLong(m.group(3), 16);
            if (event == null || event.decoded != null || !event.agreesWith(name, sid)) {
                event = new OpenEvent(dm.device(), line.number());
                open.open(dm.device(), event, out);
            }
            event.decoded = decodedLine(m, name, sid);
            String[] keys = {" iova: ", " ipa: ", " fetch_addr: "};
            for (int k = 0; k < keys.length; k++) {
                if (m.group(5 + k) == null) {
                    Values.unreadable(out, line, FaultFormat.SMMUV3_EVENT, message, keys[k]);
                }
            }
            event.add(line);
            return true;
        }
        if ((m = ACCESS.matcher(message)).matches()) {
            if (event == null || event.decoded == null || event.accessSeen) {
                return false;
            }
            accessLine(m, event.decoded);
            event.accessSeen = true;
            event.add(line);
            return true;
        }
        return false;
    }

    @Override
    public void finish(Reports out) {
        open.closeAll(out);
    }

    /** Whether the next lines are the other {@value #DWORDS} - 1 dwords of a dump by {@code device}. */
    private static boolean headerlessDump(String device, LogLines more) {
        java.util.List<LogLine> next = more.peek(DWORDS - 1);
        if (next.size() < DWORDS - 1) {
            return false;
        }
        for (LogLine l : next) {
            DeviceMessage dm = DeviceMessage.parse(l.text());
            if (dm == null || !dm.device().equals(device) || !DWORD.matcher(dm.message()).matches()) {
                return false;
            }
        }
        return true;
    }

    private static FaultBuilder decodedLine(Matcher m, String name, long sid) {
        FaultBuilder b = new FaultBuilder();
        if (!EventType.LINUX_UNKNOWN.equals(name)) {
            b.text(FaultField.EVENT, name);
            for (EventType t : EventType.values()) {
                if (t.linuxName().equals(name)) {
                    b.number(FaultField.EVENT_ID, t.id());
                }
            }
        }
        b.number(FaultField.SID, sid);
        long ssid = Long.parseLong(m.group(4), 16);
        if (ssid != 0) {
            // Linux prints IOMMU_NO_PASID (0) when SSV = 0, so only a non-zero value says anything.
            b.number(FaultField.SSID, ssid);
        }
        if (m.group(5) != null) {
            b.number(FaultField.ADDRESS, Long.parseUnsignedLong(m.group(5), 16));
        }
        if (m.group(6) != null) {
            b.number(FaultField.IPA, Long.parseUnsignedLong(m.group(6), 16));
        }
        if (m.group(7) != null) {
            b.number(FaultField.FETCH_ADDR, Long.parseUnsignedLong(m.group(7), 16));
        }
        return b;
    }

    private static void accessLine(Matcher m, FaultBuilder b) {
        b.flag(FaultField.PRIV, m.group(1).equals("priv"));
        b.flag(FaultField.EXEC, m.group(2).equals("inst"));
        b.direction(m.group(3).equals("write"));
        b.text(FaultField.STAGE, m.group(4));
        for (int c = 0; c < CLASS_STRINGS.length; c++) {
            if (CLASS_STRINGS[c].equals(m.group(5))) {
                b.text(FaultField.CLASS, CLASS_NAMES[c]);
            }
        }
        b.flag(FaultField.STALL, m.group(6) != null);
        b.number(FaultField.STAG, Long.parseLong(m.group(7), 16));
    }

    /** One report being collected. */
    private static final class OpenEvent implements OpenReports.Report {
        final String device;
        final int line;
        final long[] dwords = new long[DWORDS];
        int headerId = -1;
        int count;
        boolean dwordsBroken;
        int lines;
        FaultBuilder decoded;
        boolean accessSeen;

        OpenEvent(String device, int line) {
            this.device = device;
            this.line = line;
        }

        void add(LogLine l) {
            lines += l.nonBlankInputLines();
        }

        /** Whether a decoded line naming {@code name} and {@code sid} describes this raw dump. */
        boolean agreesWith(String name, long sid) {
            if (count > 0) {
                return new EventId((int) (dwords[0] & EVTQ_0_ID)).linuxName().equals(name)
                        && dwords[0] >>> EVTQ_0_SID_SHIFT == sid;
            }
            return headerId >= 0 && new EventId(headerId).linuxName().equals(name);
        }

        @Override
        public int lines() {
            return lines;
        }

        /** A header whose dwords and decoded lines never came names no stream: no fault. */
        @Override
        public Optional<DecodeProblem> incomplete() {
            if (count > 0 || decoded != null) {
                return Optional.empty();
            }
            return Optional.of(new DecodeProblem(line, FaultFormat.SMMUV3_EVENT, String.format(
                    "event 0x%02x header without its record (no StreamID, no address): not a fault", headerId)));
        }

        @Override
        public DecodedFault decode() {
            FaultBuilder b = new FaultBuilder().text(FaultField.DEVICE, device);
            int id = count > 0 ? (int) (dwords[0] & EVTQ_0_ID) : headerId;
            if (id >= 0) {
                EventId eventId = new EventId(id);
                b.number(FaultField.EVENT_ID, id).text(FaultField.EVENT, eventId.specName());
                decodeDwords(b, eventId.type());
            }
            if (decoded != null) {
                b.fillFrom(decoded);
            }
            HardwareRecord record = count == DWORDS ? HardwareRecord.of(RECORD_FORMAT, dwords) : HardwareRecord.NONE;
            return b.build(FaultFormat.SMMUV3_EVENT, line, record);
        }

        /** The fields each event type defines (IHI 0070 §7.3.2-7.3.21), from the dwords present. */
        private void decodeDwords(FaultBuilder b, EventType type) {
            if (count >= 1) {
                long dw0 = dwords[0];
                b.number(FaultField.SID, dw0 >>> EVTQ_0_SID_SHIFT);
                // F_STREAM_DISABLED records the StreamID only (IHI §7.3.7): its bit 11 says nothing.
                long ssid = dw0 >>> EVTQ_0_SSID_SHIFT & EVTQ_0_SSID;
                // C_BAD_SUBSTREAMID has no SSV bit, its SubstreamID is always valid (IHI §7.3.9); a zero one
                // with bit 11 clear is read as Linux and the test data read it: no substream.
                boolean ssidValid = (dw0 & EVTQ_0_SSV) != 0 || type == EventType.C_BAD_SUBSTREAMID && ssid != 0;
                if (type != EventType.F_STREAM_DISABLED) {
                    if (ssidValid) {
                        b.number(FaultField.SSID, ssid);
                    } else {
                        b.none(FaultField.SSID);
                    }
                }
            }
            if (count >= 2) {
                long dw1 = dwords[1];
                if (type.stallCapable()) {
                    b.number(FaultField.STAG, dw1 & EVTQ_1_STAG).flag(FaultField.STALL, (dw1 & EVTQ_1_STALL) != 0);
                }
                if (type.stallCapable() || type == EventType.F_UUT || type == EventType.F_WALK_EABT) {
                    // F_UUT: the incoming attributes; F_WALK_EABT: positions as QEMU writes them (unverified).
                    b.flag(FaultField.PRIV, (dw1 & EVTQ_1_PNU) != 0).flag(FaultField.EXEC, (dw1 & EVTQ_1_IND) != 0);
                }
                if (type.stallCapable() || type == EventType.F_UUT || type == EventType.F_WALK_EABT
                        || type == EventType.F_TRANSL_FORBIDDEN) {
                    b.direction((dw1 & EVTQ_1_RNW) == 0);
                }
                if (type.stallCapable() || type == EventType.F_WALK_EABT) {
                    b.text(FaultField.STAGE, (dw1 & EVTQ_1_S2) != 0 ? "s2" : "s1");
                    b.text(FaultField.CLASS, CLASS_NAMES[(int) (dw1 >>> EVTQ_1_CLASS_SHIFT & 3)]);
                }
            }
            if (count >= 3 && (type.stallCapable() || type == EventType.F_UUT || type == EventType.F_WALK_EABT
                    || type == EventType.F_TRANSL_FORBIDDEN)) {
                b.number(FaultField.ADDRESS, dwords[2]);
            }
            if (count >= 4) {
                if (type.stallCapable()) {
                    b.number(FaultField.IPA, dwords[3] & EVTQ_3_IPA);
                }
                if (type == EventType.F_STE_FETCH || type == EventType.F_CD_FETCH || type == EventType.F_VMS_FETCH
                        || type == EventType.F_WALK_EABT) {
                    b.number(FaultField.FETCH_ADDR, dwords[3] & EVTQ_3_FETCH_ADDR);
                }
            }
        }
    }
}
