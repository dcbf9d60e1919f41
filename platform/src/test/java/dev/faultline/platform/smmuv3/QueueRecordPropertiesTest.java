package dev.faultline.platform.smmuv3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.testkit.property.Gen;
import dev.faultline.testkit.property.Gens;
import dev.faultline.testkit.property.Property;
import org.junit.jupiter.api.Test;

/**
 * Properties of the SMMUv3 queue record codecs, the complement of the Jazzer targets: any dwords decode to a
 * record whose encoding is exactly the input's defined bits, and any record with fields in range encodes and
 * decodes to itself.
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
    private static final Gen<Long> ANY_LONG = Gens.longs();
    private static final Gen<Integer> ANY_INT = Gens.integers();
    private static final Gen<Boolean> ANY_BOOLEAN = Gens.booleans();

    @Test
    void anyEventDwordsEncodeBackToTheirDefinedBits() {
        Property.tries(2000).check(s -> {
            long dw0 = s.draw("dw0", ANY_LONG);
            long dw1 = s.draw("dw1", ANY_LONG);
            long dw2 = s.draw("dw2", ANY_LONG);
            long dw3 = s.draw("dw3", ANY_LONG);
            long[] encoded = EventRecord.decode(dw0, dw1, dw2, dw3).encode();
            assertThat(encoded).containsExactly(dw0 & EVENT_DW0_DEFINED, dw1 & EVENT_DW1_DEFINED, dw2, dw3);
        });
    }

    @Test
    void everyEventRecordInRangeRoundTrips() {
        Property.tries(2000).check(s -> {
            int id = s.draw("id", Gens.integers(0, 0xff));
            boolean ssv = s.draw("ssv", ANY_BOOLEAN);
            int ssid = s.draw("ssid", Gens.integers(0, 0xfffff));
            int sid = s.draw("sid", ANY_INT);
            int stag = s.draw("stag", Gens.integers(0, 0xffff));
            boolean stall = s.draw("stall", ANY_BOOLEAN);
            boolean read = s.draw("read", ANY_BOOLEAN);
            boolean s2 = s.draw("s2", ANY_BOOLEAN);
            int faultClass = s.draw("class", Gens.integers(0, 3));
            long address = s.draw("address", ANY_LONG);
            long dword3 = s.draw("dword3", ANY_LONG);
            EventRecord record = new EventRecord(id, ssv, ssid, sid, stag, stall, !read, read, read, s2, faultClass,
                    s2, address, dword3);
            assertThat(EventRecord.decode(record.encode())).isEqualTo(record);
        });
    }

    @Test
    void anyPriDwordsEncodeBackToTheirDefinedBits() {
        Property.tries(2000).check(s -> {
            long dw0 = s.draw("dw0", ANY_LONG);
            long dw1 = s.draw("dw1", ANY_LONG);
            PriEntry entry = PriEntry.decode(dw0, dw1);
            assertThat(new long[] {entry.dw0(), entry.dw1()}).containsExactly(dw0 & PRI_DW0_DEFINED,
                    dw1 & PRI_DW1_DEFINED);
        });
    }

    @Test
    void everyPriEntryInRangeRoundTrips() {
        Property.tries(2000).check(s -> {
            int sid = s.draw("sid", ANY_INT);
            int ssid = s.draw("ssid", Gens.integers(0, 0xfffff));
            boolean last = s.draw("last", ANY_BOOLEAN);
            boolean ssv = s.draw("ssv", ANY_BOOLEAN);
            boolean read = s.draw("read", ANY_BOOLEAN);
            boolean write = s.draw("write", ANY_BOOLEAN);
            int prgIndex = s.draw("prgIndex", Gens.integers(0, 0x1ff));
            long page = s.draw("page", ANY_LONG);
            PriEntry entry = new PriEntry(sid, ssid, read && ssv, write && ssv, read, write, last, ssv, prgIndex,
                    page & PriEntry.PRIQ_1_ADDR_MASK);
            assertThat(PriEntry.decode(entry.dw0(), entry.dw1())).isEqualTo(entry);
        });
    }

    @Test
    void anyCommandDecodesToOneThatReencodesToItself() {
        Property.tries(2000).check(s -> {
            long dw0 = s.draw("dw0", ANY_LONG);
            long dw1 = s.draw("dw1", ANY_LONG);
            Command command = Command.decode(dw0, dw1);
            assertThat(Command.decode(command.dw0(), command.dw1())).isEqualTo(command);
            assertThat(command.opcode()).isEqualTo(Command.opcode(dw0));
        });
    }
}
