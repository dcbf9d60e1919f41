package dev.faultline.vtd.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DriverSettingsTest {

    @Test
    void takesValidValues() {
        List<String> problems = new ArrayList<>();
        assertThat(DriverSettings.of(2, 250, 3, 0, problems::add))
                .isEqualTo(new DriverSettings(2, 250_000_000L, 3, 0));
        assertThat(problems).isEmpty();
    }

    @Test
    void fallsBackToLinuxDefaultsAndSaysWhy() {
        List<String> problems = new ArrayList<>();
        assertThat(DriverSettings.of(8, 0, -1, -5, problems::add)).isEqualTo(DriverSettings.DEFAULTS);
        assertThat(problems).hasSize(4);
        assertThat(problems.get(0)).contains("prq.order 8", "PQS is 3 bits");
        assertThat(problems.get(1)).contains("invalidation.timeout.ms 0");
    }
}
