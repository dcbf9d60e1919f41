package dev.faultline.platform.vtd;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.faultline.platform.SlotWords;

/**
 * Coverage-guided fuzzing (Jazzer) of the VT-d fault recording register decoder: the input is the 16 raw bytes
 * of an FRCD register. Whatever the bytes, decoding gives a record (never an exception), re-encoding keeps every
 * field, and the kernel's {@code dmar_fault_do_one} line for it prints.
 *
 * <p>A normal build runs the committed corpus ({@code FaultRecordFuzzTestInputs}); {@code JAZZER_FUZZ=1} fuzzes
 * for {@code maxDuration}.
 */
class FaultRecordFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void anyFaultRecordingRegisterDecodesReencodesAndPrints(byte[] input) {
        long[] qw = SlotWords.words(input, 2);
        FaultRecord record = FaultRecord.decode(qw[0], qw[1]);

        assertThat(record.address()).isEqualTo(qw[0] & ~0xfffL);
        assertThat(record.sourceId()).isEqualTo((int) (qw[1] & 0xffff));
        assertThat(record.valid()).isEqualTo(qw[1] < 0);
        assertThat(FaultRecord.decode(record.low(), record.high())).isEqualTo(record);
        assertThat(record.reason().code()).isEqualTo(record.reasonCode());
        assertThat(record.requester(0).rid()).isEqualTo(record.sourceId());
        assertThat(record.message()).startsWith("[").contains("Request device [");
    }
}
