package dev.faultline.platform.smmuv3;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.faultline.platform.SlotWords;

/**
 * Coverage-guided fuzzing (Jazzer) of the SMMUv3 PRI queue entry decoder: the input is the raw bytes of a PRI
 * queue slot. Whatever the bytes, decoding gives an entry (never an exception), re-encoding it keeps every
 * field, and Linux's lines for it print.
 *
 * <p>A normal build runs the committed corpus ({@code PriEntryFuzzTestInputs}); {@code JAZZER_FUZZ=1} fuzzes for
 * {@code maxDuration}.
 */
class PriEntryFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void anyPriQueueSlotDecodesReencodesAndPrints(byte[] input) {
        long[] dw = SlotWords.words(input, PriEntry.DWORDS);
        PriEntry entry = PriEntry.decode(dw[0], dw[1]);

        assertThat(entry.sid()).isEqualTo((int) dw[0]);
        assertThat(entry.prgIndex()).isEqualTo((int) (dw[1] & PriEntry.PRIQ_1_PRG_IDX));
        assertThat(entry.pageAddress()).isEqualTo(dw[1] & PriEntry.PRIQ_1_ADDR_MASK);
        assertThat(PriEntry.decode(entry.dw0(), entry.dw1())).isEqualTo(entry);
        assertThat(entry.pasid()).isEqualTo(entry.ssv() ? entry.ssid() : -1);
        assertThat(entry.linuxLines()).hasSize(2).doesNotContainNull();
    }
}
