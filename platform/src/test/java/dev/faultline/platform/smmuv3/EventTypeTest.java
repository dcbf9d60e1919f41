package dev.faultline.platform.smmuv3;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EventTypeTest {

    @Test
    void knownNumbersCarrySpecAndLinuxNames() {
        assertThat(EventType.of(0x10)).isEqualTo(EventType.F_TRANSLATION);
        assertThat(EventType.of(0x10).linuxName()).isEqualTo("F_TRANSLATION");
        assertThat(EventType.of(0x04).linuxName()).isEqualTo("C_BAD_STE");
        assertThat(EventType.of(0x25).linuxName()).isEqualTo("F_VMS_FETCH");
        assertThat(EventType.of(0x0B).specName()).isEqualTo("F_WALK_EABT");
        assertThat(EventType.of(0x0B).linuxName()).isEqualTo("UNKNOWN");
        assertThat(EventType.of(0x01).linuxName()).isEqualTo("UNKNOWN");
    }

    @Test
    void unknownAndImpdefNumbersKeepTheirRawValue() {
        EventId reserved = new EventId(0x7f);
        assertThat(reserved.type()).isEqualTo(EventType.UNKNOWN);
        assertThat(reserved.toString()).isEqualTo("0x7f UNKNOWN");
        EventId impdef = new EventId(0xE3);
        assertThat(impdef.type()).isEqualTo(EventType.IMPDEF_EVENT);
        assertThat(impdef.specName()).isEqualTo("IMPDEF_EVENT3");
        assertThat(impdef.linuxName()).isEqualTo("UNKNOWN");
        assertThat(EventType.of(-1)).isEqualTo(EventType.UNKNOWN);
        assertThat(EventType.of(0x100)).isEqualTo(EventType.UNKNOWN);
    }

    @Test
    void onlyTheFourTranslationEventsStall() {
        for (EventType t : EventType.values()) {
            assertThat(t.stallCapable()).as(t.name())
                    .isEqualTo(t.id() >= 0x10 && t.id() <= 0x13);
        }
    }

    @Test
    void everyKnownNumberRoundTrips() {
        for (EventType t : EventType.values()) {
            if (t != EventType.UNKNOWN) {
                assertThat(EventType.of(t.id())).isEqualTo(t);
            }
        }
    }
}
