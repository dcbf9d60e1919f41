package dev.faultline.platform.vtd;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.faultline.platform.SlotWords;

/**
 * Coverage-guided fuzzing (Jazzer) of the VT-d invalidation queue: the input is a run of raw 32-byte descriptors
 * (page group responses, waits, anything). The remapping unit either executes a descriptor or stops at it with
 * FSTS.IQE, which software clears, as Linux's {@code qi_check_fault} does, to go on; nothing is thrown at the
 * register write.
 *
 * <p>A normal build runs the committed corpus ({@code InvalidationQueueFuzzTestInputs}); {@code JAZZER_FUZZ=1}
 * fuzzes for {@code maxDuration}.
 */
class InvalidationQueueFuzzTest {
    private static final int MAX_DESCRIPTORS = 64;
    private static final int DESCRIPTOR_WORDS = 4;

    @FuzzTest(maxDuration = "10s")
    void anyDescriptorIsExecutedOrStopsTheQueueUntilIqeIsCleared(byte[] input) {
        UnitFixture fixture = new UnitFixture(8);
        RemappingUnit unit = fixture.unit;
        int descriptors = Math.min(MAX_DESCRIPTORS, SlotWords.slots(input, DESCRIPTOR_WORDS));
        long errors = 0;
        for (int i = 0; i < descriptors; i++) {
            long qw0 = SlotWords.word(input, DESCRIPTOR_WORDS * i);
            long qw1 = SlotWords.word(input, DESCRIPTOR_WORDS * i + 1);
            PageGroupResponse response = PageGroupResponse.decode(qw0, qw1, 0, 0);
            assertThat(PageGroupResponse.decode(response.qw0(), response.qw1(), 0, 0)).isEqualTo(response);
            assertThat(InvalidationWait.decode(qw0, qw1).statusAddress() & 3).isZero();

            long head = unit.read64(RegisterMap.IQH);
            fixture.submit(qw0, qw1);
            if (fixture.faultStatus().invalidationQueueError()) {
                errors++;
                assertThat(unit.read64(RegisterMap.IQH)).as("the queue stops at the bad descriptor").isEqualTo(head);
                InvalidationWait wait = InvalidationWait.statusWrite(fixture.statusWord, false);
                fixture.memory.write64(fixture.invalidationQueue + head, wait.qw0());
                fixture.memory.write64(fixture.invalidationQueue + head + 8, wait.qw1());
                unit.write32(RegisterMap.FSTS, RegisterMap.FSTS_IQE);
            }
            assertThat(fixture.faultStatus().invalidationQueueError()).isFalse();
            assertThat(unit.read64(RegisterMap.IQH)).as("every descriptor up to IQT is consumed")
                    .isEqualTo(unit.read64(RegisterMap.IQT));
        }
        assertThat(unit.counters().invalidationErrors()).isEqualTo(errors);
    }
}
