package dev.faultline.platform.smmuv3;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Properties of the SMMUv3 queue record codecs (jqwik), the complement of the Jazzer targets: any dwords decode
 * to a record whose encoding is exactly the input's defined bits, and any record with fields in range encodes
 * and decodes to itself.
 */
class QueueRecordPropertiesTest {
    /** dw0: ID [7:0], SSV 11, SSID [31:12], SID [63:32]. */
    private static final long EVENT_DW0_DEFINED = 0xffff_ffff_ffff_f8ffL;
    /** dw1: STAG [15:0], STALL 31, PnU 33, InD 34, RnW 35, S2 39, CLASS [41:40], TT_READ 44. */
    private static final long EVENT_DW1_DEFINED = 0x0000_138e_8000_ffffL;
    /** dw0: SID [31:0], SSID [51:32], Priv 58, X 59, R 60, W 61, Last 62, SSV 63. */
    private static final long PRI_DW0_DEFINED = 0xfc0f_ffff_ffff_ffffL;
    /** dw1: PRG index [8:0], page address [63:12]. */
    private static final long PRI_DW1_DEFINED = 0xffff_ffff_ffff_f1ffL;

    @Property(tries = 2000)
    void anyEventDwordsEncodeBackToTheirDefinedBits(@ForAll long dw0, @ForAll long dw1, @ForAll long dw2,
            @ForAll long dw3) {
        long[] encoded = EventRecord.decode(dw0, dw1, dw2, dw3).encode();
        assertThat(encoded).containsExactly(dw0 & EVENT_DW0_DEFINED, dw1 & EVENT_DW1_DEFINED, dw2, dw3);
    }

    @Property(tries = 2000)
    void everyEventRecordInRangeRoundTrips(@ForAll @IntRange(max = 0xff) int id, @ForAll boolean ssv,
            @ForAll @IntRange(max = 0xfffff) int ssid, @ForAll int sid, @ForAll @IntRange(max = 0xffff) int stag,
            @ForAll boolean stall, @ForAll boolean read, @ForAll boolean s2, @ForAll @IntRange(max = 3) int faultClass,
            @ForAll long address, @ForAll long dword3) {
        EventRecord record = new EventRecord(id, ssv, ssid, sid, stag, stall, !read, read, read, s2, faultClass, s2,
                address, dword3);
        assertThat(EventRecord.decode(record.encode())).isEqualTo(record);
    }

    @Property(tries = 2000)
    void anyPriDwordsEncodeBackToTheirDefinedBits(@ForAll long dw0, @ForAll long dw1) {
        PriEntry entry = PriEntry.decode(dw0, dw1);
        assertThat(new long[] {entry.dw0(), entry.dw1()}).containsExactly(dw0 & PRI_DW0_DEFINED, dw1 & PRI_DW1_DEFINED);
    }

    @Property(tries = 2000)
    void everyPriEntryInRangeRoundTrips(@ForAll int sid, @ForAll @IntRange(max = 0xfffff) int ssid,
            @ForAll boolean last, @ForAll boolean ssv, @ForAll boolean read, @ForAll boolean write,
            @ForAll @IntRange(max = 0x1ff) int prgIndex, @ForAll long page) {
        PriEntry entry = new PriEntry(sid, ssid, read && ssv, write && ssv, read, write, last, ssv, prgIndex,
                page & PriEntry.PRIQ_1_ADDR_MASK);
        assertThat(PriEntry.decode(entry.dw0(), entry.dw1())).isEqualTo(entry);
    }

    @Property(tries = 2000)
    void anyCommandDecodesToOneThatReencodesToItself(@ForAll long dw0, @ForAll long dw1) {
        Command command = Command.decode(dw0, dw1);
        assertThat(Command.decode(command.dw0(), command.dw1())).isEqualTo(command);
        assertThat(command.opcode()).isEqualTo(Command.opcode(dw0));
    }
}
