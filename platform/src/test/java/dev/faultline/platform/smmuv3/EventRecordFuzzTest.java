package dev.faultline.platform.smmuv3;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.faultline.platform.SlotWords;
import java.util.List;

/**
 * Coverage-guided fuzzing (Jazzer) of the SMMUv3 event record decoder: the input is the raw bytes of an event
 * queue slot. Whatever the bytes, decoding gives a record (never an exception), re-encoding it keeps every field
 * it decoded, and Linux's dump of it prints.
 *
 * <p>A normal build runs the committed corpus ({@code EventRecordFuzzTestInputs}); {@code JAZZER_FUZZ=1} fuzzes
 * for {@code maxDuration}.
 */
class EventRecordFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void anyEventQueueSlotDecodesReencodesAndPrints(byte[] input) {
        long[] dw = SlotWords.words(input, EventRecord.DWORDS);
        EventRecord record = EventRecord.decode(dw[0], dw[1], dw[2], dw[3]);

        assertThat(record.id()).isEqualTo(EventRecord.id(dw[0]));
        assertThat(record.sid()).isEqualTo(EventRecord.sid(dw[0]));
        assertThat(record.ssid()).isEqualTo(EventRecord.ssid(dw[0]));
        assertThat(record.stag()).isEqualTo(EventRecord.stag(dw[1]));
        assertThat(record.inputAddress()).isEqualTo(dw[2]);
        assertThat(EventRecord.decode(record.encode())).isEqualTo(record);
        assertThat(record.pasid()).isBetween(-1, 0xfffff);
        assertThat(record.eventId().type()).isSameAs(record.type());

        List<String> lines = record.linuxLines(null);
        assertThat(lines).hasSizeBetween(6, 7).doesNotContainNull();
        assertThat(lines.get(0)).isEqualTo(String.format("event 0x%02x received:", record.id()));
    }
}
