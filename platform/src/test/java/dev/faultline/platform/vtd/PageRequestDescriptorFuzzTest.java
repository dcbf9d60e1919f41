package dev.faultline.platform.vtd;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.faultline.platform.SlotWords;

/**
 * Coverage-guided fuzzing (Jazzer) of the VT-d page request descriptor decoder: the input is the 32 raw bytes of
 * a page request queue slot. Whatever the bytes, decoding gives a descriptor (never an exception), re-encoding
 * keeps every field, and the {@code prq_report} trace text prints.
 *
 * <p>A normal build runs the committed corpus ({@code PageRequestDescriptorFuzzTestInputs});
 * {@code JAZZER_FUZZ=1} fuzzes for {@code maxDuration}.
 */
class PageRequestDescriptorFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void anyPageRequestQueueSlotDecodesReencodesAndTraces(byte[] input) {
        long[] qw = SlotWords.words(input, 4);
        PageRequestDescriptor descriptor = PageRequestDescriptor.decode(qw[0], qw[1], qw[2], qw[3]);

        assertThat(descriptor.requesterId()).isEqualTo((int) (qw[0] >>> 16) & 0xffff);
        assertThat(descriptor.groupIndex()).isEqualTo((int) (qw[1] >>> 3) & 0x1ff);
        assertThat(descriptor.address()).isEqualTo(qw[1] & ~0xfffL);
        assertThat(PageRequestDescriptor.decode(descriptor.qw0(), descriptor.qw1(), descriptor.privateData0(),
                descriptor.privateData1())).isEqualTo(descriptor);
        assertThat(descriptor.pasidOrNone()).isEqualTo(descriptor.pasidPresent() ? descriptor.pasid() : -1);
        assertThat(descriptor.traceText()).startsWith("rid=0x");
    }
}
