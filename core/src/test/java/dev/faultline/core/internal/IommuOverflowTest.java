package dev.faultline.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.FaultQueue;
import dev.faultline.api.stats.IommuStatus;
import dev.faultline.testkit.backend.RecordingBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IommuOverflowTest {
    private final Fixture f = new Fixture();

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void eachQueuesOverflowsAreCountedForItsIommu() {
        f.device(Fixture.DEV);
        f.iommu.reportOverflow(FaultQueue.PAGE_REQUESTS);
        f.iommu.reportOverflow(FaultQueue.PAGE_REQUESTS);
        f.iommu.reportOverflow(FaultQueue.FAULT_RECORDS);
        f.pipeline.connect(new RecordingBackend("iommu1"));

        assertThat(f.pipeline.iommus()).containsExactly(
                IommuStatus.builder().name("iommu0").connected(true).devices(1).faultRecordOverflows(1)
                        .pageRequestOverflows(2).build(),
                IommuStatus.builder().name("iommu1").connected(true).build());
    }

    @Test
    void anIommusOverflowsAddUpOverItsBackendsAndStayListedWhileNoneDrivesIt() {
        f.iommu.reportOverflow(FaultQueue.FAULT_RECORDS);
        f.iommu.close();
        IommuStatus gone = f.pipeline.iommus().get(0);
        assertThat(gone.connected()).isFalse();
        assertThat(gone.faultRecordOverflows()).isEqualTo(1);

        f.pipeline.connect(new RecordingBackend("iommu0")).reportOverflow(FaultQueue.FAULT_RECORDS);
        IommuStatus again = f.pipeline.iommus().get(0);
        assertThat(again.connected()).isTrue();
        assertThat(again.faultRecordOverflows()).isEqualTo(2);
        assertThat(again.overflows()).isEqualTo(2);
    }
}
