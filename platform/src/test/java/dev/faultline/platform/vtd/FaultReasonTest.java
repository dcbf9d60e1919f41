package dev.faultline.platform.vtd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FaultReasonTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            0x00 | Software | DMA_REMAP
            0x05 | PTE Write access is not set | DMA_REMAP
            0x06 | PTE Read access is not set | DMA_REMAP
            0x07 | Next page table ptr is invalid | DMA_REMAP
            0x0d | PCE for translation request specifies blocking | DMA_REMAP
            0x20 | Detected reserved fields in the decoded interrupt-remapped request | INTR_REMAP
            0x22 | Present field in the IRTE entry is clear | INTR_REMAP
            0x25 | Blocked a compatibility format interrupt request | INTR_REMAP
            0x26 | Blocked an interrupt request due to source-id verification failure | INTR_REMAP
            0x30 | SM: Invalid Root Table Address | DMA_REMAP
            0x48 | SM: RID_PASID field error in Context-Entry | DMA_REMAP
            0x5a | SM: Non-zero reserved field set in PASID Table Entry | DMA_REMAP
            0x71 | SM: Present bit in first-level paging entry is clear | DMA_REMAP
            0x81 | SM: U/S set 0 for first-level translation with user privilege | DMA_REMAP
            0x85 | SM: No write permission for Write/AtomicOp request | DMA_REMAP
            0x90 | SM: A/D bit update needed in first-level entry when set up in no snoop | DMA_REMAP
            """)
    void namesCodesAsTheKernelDoes(String code, String text, FaultType type) {
        FaultReason reason = FaultReason.of(Integer.decode(code));
        assertThat(reason.description()).isEqualTo(text);
        assertThat(reason.type()).isEqualTo(type);
        assertThat(reason.named()).isTrue();
    }

    @Test
    void keepsTheRawValueOfCodesInNoTable() {
        // dmar-fault-09 in the real logs: decimal 23 = 0x17 is in no table.
        FaultReason reason = FaultReason.of(23);
        assertThat(reason.code()).isEqualTo(0x17);
        assertThat(reason.description()).isEqualTo("Unknown");
        assertThat(reason.type()).isEqualTo(FaultType.UNKNOWN);
        assertThat(FaultReason.of(0x0e).type()).isEqualTo(FaultType.UNKNOWN);
        assertThat(FaultReason.of(0x27).type()).isEqualTo(FaultType.UNKNOWN);
        assertThat(FaultReason.of(0x91).type()).isEqualTo(FaultType.UNKNOWN);
        assertThat(FaultReason.of(0xff)).isEqualTo(new FaultReason(0xff, "Unknown", FaultType.UNKNOWN));
    }

    @Test
    void treatsUnnamedScalableModeCodesAsDmaRemappingLikeLinux() {
        for (int code : new int[] {0x33, 0x37, 0x3b, 0x49, 0x53, 0x5e, 0x6f, 0x7d, 0x88, 0x8f}) {
            FaultReason reason = FaultReason.of(code);
            assertThat(reason.type()).as("0x%x", code).isEqualTo(FaultType.DMA_REMAP);
            assertThat(reason.named()).as("0x%x", code).isFalse();
        }
    }

    @Test
    void classifiesOnlyTheIrqRangeAsInterruptRemapping() {
        for (int code = 0; code <= 0xff; code++) {
            assertThat(FaultReason.of(code).interruptRemapping()).as("0x%x", code)
                    .isEqualTo(code >= 0x20 && code <= 0x26);
        }
    }

    @Test
    void countsExactlyTheKernelsNamedCodes() {
        int named = 0;
        for (int code = 0; code <= 0xff; code++) {
            named += FaultReason.of(code).named() ? 1 : 0;
        }
        // 14 legacy + 7 interrupt remapping + 46 scalable-mode names.
        assertThat(named).isEqualTo(14 + 7 + 46);
    }

    @Test
    void internsEveryCode() {
        assertThat(FaultReason.of(0x71)).isSameAs(FaultReason.of(FaultReason.SM_FL_NOT_PRESENT));
    }

    @Test
    void rejectsCodesWiderThanTheFrField() {
        assertThatThrownBy(() -> FaultReason.of(0x100)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0x100");
        assertThatThrownBy(() -> FaultReason.of(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void printsTheKernelsReasonTail() {
        assertThat(FaultReason.of(5)).hasToString("[fault reason 0x05] PTE Write access is not set");
    }
}
