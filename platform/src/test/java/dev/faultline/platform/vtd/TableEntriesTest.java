package dev.faultline.platform.vtd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Scalable-mode root, context, PASID directory and PASID entries against a hand-computed scalable-mode lookup. */
class TableEntriesTest {
    private static final int PASID = 0x12345;

    @Test
    void encodesTv39ContextEntries() {
        ContextEntry pdts2 = new ContextEntry(true, false, false, true, true, 2, 0x8123_4000L, 0, false);
        assertThat(pdts2.qw0()).isEqualTo(0x0000_0000_8123_4419L);
        assertThat(pdts2.pasidDirectoryEntries()).isEqualTo(512);
        assertThat(pdts2.pasidLimit()).isEqualTo(0x8000);
        assertThat(PASID).isGreaterThanOrEqualTo(pdts2.pasidLimit()); // this entry makes the request fault 0x46
        ContextEntry pdts4 = new ContextEntry(true, false, false, true, true, 4, 0x8123_4000L, 0, false);
        assertThat(pdts4.qw0()).isEqualTo(0x0000_0000_8123_4819L);
        assertThat(PASID).isLessThan(pdts4.pasidLimit());
        assertThat(ContextEntry.decode(pdts4.qw0(), pdts4.qw1())).isEqualTo(pdts4);
        assertThat(ContextEntry.offset(0x00)).isZero();
        assertThat(ContextEntry.offset(0x85)).isEqualTo(5 * 32);
    }

    @Test
    void indexesTv39RootAndPasidTables() {
        assertThat(RootEntry.offset(3)).isEqualTo(0x30);
        assertThat(PasidDirectoryEntry.offset(PASID)).isEqualTo(0x2468);
        assertThat(PasidEntry.offset(PASID)).isEqualTo(0x140);
    }

    @Test
    void encodesTv39FirstLevelPasidEntry() {
        PasidEntry entry = PasidEntry.firstLevel(0x8123_5000L, 5, false);
        assertThat(entry.word(0)).isEqualTo(0x41);
        assertThat(entry.word(1)).isEqualTo(0x5);
        assertThat(entry.word(2)).isEqualTo(0x0000_0000_8123_5000L);
        assertThat(PasidEntry.firstLevel(0x8123_5000L, 5, true).word(2)).isEqualTo(0x0000_0000_8123_5001L);
        assertThat(entry.translationType()).isEqualTo(PasidTranslationType.FIRST_LEVEL);
        assertThat(entry.firstLevelTable()).isEqualTo(0x8123_5000L);
        assertThat(entry.domainId()).isEqualTo(5);
        assertThat(entry.present()).isTrue();
        assertThat(entry.reservedBitsSet()).isFalse();
        assertThat(entry.withWord(5, 1).reservedBitsSet()).isTrue();
        assertThat(entry.withFaultProcessingDisable(true).word(0)).isEqualTo(0x43);
        assertThat(PasidEntry.passThrough(1).translationType()).isEqualTo(PasidTranslationType.PASS_THROUGH);
        assertThat(entry.withWord(0, 0x1 | 5 << 6).translationType()).isNull();
    }

    @Test
    void roundTripsRootAndDirectoryEntries() {
        RootEntry root = new RootEntry(true, 0x1000, false, 0x2000);
        assertThat(root.low()).isEqualTo(0x1001);
        assertThat(root.high()).isEqualTo(0x2000);
        assertThat(RootEntry.decode(root.low(), root.high())).isEqualTo(root);
        assertThat(RootEntry.reservedBitsSet(0x1001 | 0x10, 0)).isTrue();
        PasidDirectoryEntry dir = new PasidDirectoryEntry(true, true, 0x9000);
        assertThat(dir.value()).isEqualTo(0x9003);
        assertThat(PasidDirectoryEntry.decode(dir.value())).isEqualTo(dir);
    }

    @Test
    void flagsReservedContextBits() {
        assertThat(ContextEntry.reservedBitsSet(0x20, 0, 0, 0)).isTrue();
        assertThat(ContextEntry.reservedBitsSet(0, 1L << 21, 0, 0)).isTrue();
        assertThat(ContextEntry.reservedBitsSet(0, 0, 0, 1)).isTrue();
        assertThat(ContextEntry.reservedBitsSet(0x1f | 7 << 9, 0x1f_ffff, 0, 0)).isFalse();
    }

    @Test
    void rejectsMisalignedPointers() {
        assertThatThrownBy(() -> new RootEntry(true, 0x1008, false, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PasidEntry.firstLevel(0x1008, 1, false))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PasidEntry.of(new long[9])).isInstanceOf(IllegalArgumentException.class);
    }
}
