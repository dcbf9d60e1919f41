package dev.faultline.vtd.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.platform.vtd.FaultRecord;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The kernel's lines and Linux's rate limiting, per call site. */
class DmarLogTest {
    private final RecordingLog sink = new RecordingLog();
    private final AtomicLong clock = new AtomicLong();
    private final DmarLog log = new DmarLog(sink, 2, 1_000, clock::get);

    @Test
    void printsTheInterruptRemappingFormForIrqReasons() {
        // an interrupt-remapping fault record and the line Linux prints for it
        assertThat(log.fault(0x001f_0000_0000_0000L, 0x8000_0022_0000_00f8L)).isTrue();
        assertThat(sink.lines).containsExactly("DMAR: [INTR-REMAP] Request device [00:1f.0] fault index 0x1f "
                + "[fault reason 0x22] Present field in the IRTE entry is clear");
    }

    @Test
    void limitsEachCallSiteOnItsOwnAndReportsSuppressions() {
        FaultRecord record = FaultRecord.of(0x10, -1, 0x7f00_1000L, false, false, false, 5);
        for (int i = 0; i < 3; i++) {
            log.fault(record.low(), record.high());
        }
        log.overflowDetected("dmar0");
        log.overflowCleared("dmar0");
        assertThat(sink.lines).containsExactly(
                "DMAR: [DMA Write NO_PASID] Request device [00:02.0] fault addr 0x7f001000 [fault reason 0x05] "
                        + "PTE Write access is not set",
                "DMAR: [DMA Write NO_PASID] Request device [00:02.0] fault addr 0x7f001000 [fault reason 0x05] "
                        + "PTE Write access is not set",
                "IOMMU: dmar0: PRQ overflow detected", "IOMMU: dmar0: PRQ overflow cleared");
        clock.addAndGet(1_001); // past the window's end (the end itself is still limited, as Linux's ___ratelimit)
        log.fault(record.low(), record.high());
        assertThat(sink.lines).element(4).isEqualTo("dmar_fault: 1 callbacks suppressed");
    }

    @Test
    void dumpsBadPageRequestsWithAtLeastEightDigits() {
        log.badPageRequest("dmar15", "Page request in Privilege Mode", 0x0020_0002_6a10_0101L, 0xffff_b167L);
        log.badPageRequest("dmar15", null, 0x101, 0x5);
        // prq-01 in the real logs, and the unknown-requester form without a reason line
        assertThat(sink.lines).containsExactly("IOMMU: dmar15: Page request in Privilege Mode",
                "dmar15: Invalid page request: 2000026a100101 ffffb167",
                "dmar15: Invalid page request: 00000101 00000005");
    }
}
