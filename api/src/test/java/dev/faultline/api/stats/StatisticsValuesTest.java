package dev.faultline.api.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatisticsValuesTest {
    @Test
    void countsNotSetAreZeroAndTheInvariantsReadTheSetOnes() {
        FaultCounts none = FaultCounts.builder().build();
        assertThat(none.reported()).isZero();
        assertThat(none.mixedPasid()).isZero();
        assertThat(none.balanced()).isTrue();

        FaultCounts counts = FaultCounts.builder().reported(5).parked(1).dispatched(3).noHandler(1).groups(4)
                .answeredSuccess(2).answeredInvalid(1).pending(1).build();
        assertThat(counts.outcomes()).isEqualTo(5);
        assertThat(counts.answered()).isEqualTo(3);
        assertThat(counts.balanced()).isTrue();
        assertThat(counts.toBuilder().pending(0).build().balanced()).as("a group neither answered nor pending")
                .isFalse();
    }

    @Test
    void valuesAreComparedByTheirCountsAndCopiedThroughTheirBuilders() {
        FaultCounts a = FaultCounts.builder().reported(7).staleAnswers(2).build();
        FaultCounts b = a.toBuilder().build();
        assertThat(b).isEqualTo(a).hasSameHashCodeAs(a).isNotSameAs(a);
        assertThat(a.toBuilder().staleAnswers(3).build()).isNotEqualTo(a);
        assertThat(a.toString()).contains("reported=7").contains("staleAnswers=2");
    }

    @Test
    void aHandlerStatusKeepsItsOwnCopiesOfItsLists() {
        List<String> devices = new ArrayList<>(List.of("0000:00:05.0"));
        HandlerStatus status = HandlerStatus.builder().name("dma-engine").bundle("com.example.dma").devices(devices)
                .standing(List.of("device 0000:00:05.0: serves")).build();
        devices.add("0000:00:06.0");
        assertThat(status.devices()).containsExactly("0000:00:05.0");
        assertThat(status.state()).isEqualTo(HandlerStatus.State.ACTIVE);
        assertThat(status.dispatch()).isEqualTo("inline");
        assertThat(status.counts()).isEqualTo(FaultCounts.builder().build());
        assertThat(status.reason()).isEmpty();
        assertThat(status.toBuilder().state(HandlerStatus.State.REFUSED).reason("unknown property").build())
                .isNotEqualTo(status);
        assertThatThrownBy(() -> HandlerStatus.builder().name(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void anIommuStatusSumsItsQueuesOverflowsAndCopiesThroughItsBuilder() {
        IommuStatus smmu = IommuStatus.builder().name("smmuv3.0").connected(true).devices(3)
                .faultRecordOverflows(2).pageRequestOverflows(1).build();
        assertThat(smmu.overflows()).isEqualTo(3);
        assertThat(smmu.toBuilder().build()).isEqualTo(smmu).hasSameHashCodeAs(smmu);
        assertThat(smmu.toBuilder().connected(false).build()).isNotEqualTo(smmu);
        assertThat(smmu.toString()).contains("pageRequestOverflows=1");
        assertThat(IommuStatus.builder().build().overflows()).isZero();
        assertThatThrownBy(() -> IommuStatus.builder().name(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void anAnswerLatencyWithoutSamplesIsZeroAndAHandlersDefaultsToIt() {
        assertThat(AnswerLatency.none().samples()).isZero();
        assertThat(AnswerLatency.none().p99Nanos()).isZero();
        assertThat(HandlerStatus.builder().build().answerLatency()).isEqualTo(AnswerLatency.none());
        AnswerLatency measured = AnswerLatency.builder().samples(4).sumNanos(100).maxNanos(40).p50Nanos(20)
                .p99Nanos(40).build();
        assertThat(measured.toBuilder().build()).isEqualTo(measured).hasSameHashCodeAs(measured);
        assertThat(measured.toBuilder().p50Nanos(21).build()).isNotEqualTo(measured);
        HandlerStatus status = HandlerStatus.builder().name("pager").answerLatency(measured).build();
        assertThat(status.toBuilder().build().answerLatency()).isEqualTo(measured);
        assertThat(status).isNotEqualTo(HandlerStatus.builder().name("pager").build());
    }
}
