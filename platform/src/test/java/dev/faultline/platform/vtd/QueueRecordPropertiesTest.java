package dev.faultline.platform.vtd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.testkit.property.Gen;
import dev.faultline.testkit.property.Gens;
import dev.faultline.testkit.property.Property;
import org.junit.jupiter.api.Test;

/**
 * Properties of the VT-d record codecs, the complement of the Jazzer targets: any qwords decode to a record
 * whose encoding is exactly the input's defined bits, and any record with fields in range encodes and decodes
 * to itself.
 */
class QueueRecordPropertiesTest {
    /** FRCD +8: SID [15:0], T2 28, PRIV 29, EXE 30, PP 31, FR [39:32], PV [59:40], AT [61:60], T1 62, F 63. */
    private static final long FRCD_HIGH_DEFINED = 0xffff_ffff_f000_ffffL;
    /** Page request qw0 without the type: PP 8, PDP 9, RID [31:16], PASID [51:32], ER 52, PMR 53. */
    private static final long PRQ_QW0_DEFINED = 0x003f_ffff_ffff_0300L;
    /** Invalidation descriptor type: [3:0] and, in 256-bit descriptors, [11:9]. */
    private static final long TYPE_BITS = 0xe0fL;
    private static final Gen<Long> ANY_LONG = Gens.longs();
    private static final Gen<Boolean> ANY_BOOLEAN = Gens.booleans();

    @Test
    void anyFaultRecordingRegisterEncodesBackToItsDefinedBits() {
        Property.tries(2000).check(s -> {
            long low = s.draw("low", ANY_LONG);
            long high = s.draw("high", ANY_LONG);
            FaultRecord record = FaultRecord.decode(low, high);
            assertThat(new long[] {record.low(), record.high()}).containsExactly(low & ~0xfffL,
                    high & FRCD_HIGH_DEFINED);
        });
    }

    @Test
    void everyFaultRecordInRangeRoundTrips() {
        Property.tries(2000).check(s -> {
            long page = s.draw("page", ANY_LONG);
            int sid = s.draw("sid", Gens.integers(0, 0xffff));
            boolean pasidPresent = s.draw("pasidPresent", ANY_BOOLEAN);
            int pasid = s.draw("pasid", Gens.integers(0, 0xfffff));
            int reason = s.draw("reason", Gens.integers(0, 0xff));
            boolean read = s.draw("read", ANY_BOOLEAN);
            int at = s.draw("at", Gens.integers(0, 3));
            boolean valid = s.draw("valid", ANY_BOOLEAN);
            FaultRecord record = new FaultRecord(page & ~0xfffL, sid, pasidPresent, pasid, reason, read, !read,
                    valid, pasidPresent, at, valid);
            assertThat(FaultRecord.decode(record.low(), record.high())).isEqualTo(record);
        });
    }

    @Test
    void anyPageRequestDescriptorEncodesBackToItsDefinedBits() {
        Property.tries(2000).check(s -> {
            long qw0 = s.draw("qw0", ANY_LONG);
            long qw1 = s.draw("qw1", ANY_LONG);
            long qw2 = s.draw("qw2", ANY_LONG);
            long qw3 = s.draw("qw3", ANY_LONG);
            PageRequestDescriptor descriptor = PageRequestDescriptor.decode(qw0, qw1, qw2, qw3);
            assertThat(new long[] {descriptor.qw0(), descriptor.qw1(), descriptor.privateData0(),
                descriptor.privateData1()}).containsExactly(PageRequestDescriptor.TYPE | qw0 & PRQ_QW0_DEFINED, qw1,
                    qw2, qw3);
        });
    }

    @Test
    void anyPageGroupResponseWithoutReservedBitsEncodesBackToItself() {
        Property.tries(2000).check(s -> {
            long qw0 = s.draw("qw0", ANY_LONG);
            long qw1 = s.draw("qw1", ANY_LONG);
            long type = InvalidationType.PAGE_GROUP_RESPONSE.code();
            long q0 = qw0 & ~PageGroupResponse.QW0_RESERVED & ~TYPE_BITS | type;
            long q1 = qw1 & ~PageGroupResponse.QW1_RESERVED;
            PageGroupResponse response = PageGroupResponse.decode(q0, q1, 0, 0);
            assertThat(PageGroupResponse.reservedBitsSet(q0, q1)).isFalse();
            assertThat(new long[] {response.qw0(), response.qw1()}).containsExactly(q0, q1);
        });
    }
}
