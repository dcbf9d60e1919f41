package dev.faultline.testkit.clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ManualClockTest {
    @Test
    void movesOnlyWhenAdvancedAndNeverBack() {
        ManualClock clock = ManualClock.at(500);
        assertThat(clock.getAsLong()).isEqualTo(500);
        assertThat(clock.nanos()).isEqualTo(500);
        assertThat(clock.advance(Duration.ofMillis(2))).isEqualTo(2_000_500);
        assertThat(clock.advanceNanos(0)).isEqualTo(2_000_500);
        assertThatThrownBy(() -> clock.advanceNanos(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("never goes back");
        assertThat(clock.nanos()).isEqualTo(2_000_500);
    }

    @Test
    void startsAwayFromZero() {
        assertThat(ManualClock.start().nanos()).isEqualTo(1_000_000_000L);
    }
}
