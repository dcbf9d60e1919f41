package dev.faultline.core.internal.configure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.fault.ResponseCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsTest {

    /** A configuration with every value given. */
    private static CoreConfig config(int perDevice, int total, long timeout, String timeoutResponse, int depth,
            String fullResponse, int quarantine, long block, int burst, long interval, boolean precise) {
        return Configs.of(Map.ofEntries(Map.entry("partials_per_device", perDevice), Map.entry("partials_total", total),
                Map.entry("timeout_default_ms", timeout), Map.entry("timeout_response", timeoutResponse),
                Map.entry("queue_depth", depth), Map.entry("queue_full_response", fullResponse),
                Map.entry("quarantine_after", quarantine), Map.entry("inline_block_ms", block),
                Map.entry("log_burst", burst), Map.entry("log_interval_ms", interval),
                Map.entry("timestamps_precise", precise)));
    }

    @Test
    void readsAValidConfiguration() {
        List<String> problems = new ArrayList<>();

        Settings s = Settings.from(config(8, 64, 250, "failure", 16, "INVALID", 0, 20, 3, 0, true), problems::add);

        assertThat(problems).isEmpty();
        assertThat(s).isEqualTo(new Settings(8, 64, 250, ResponseCode.FAILURE, 16, ResponseCode.INVALID, 0, 20, 3, 0, true));
    }

    @Test
    void replacesEachBadValueByItsDefaultAndSaysWhy() {
        List<String> problems = new ArrayList<>();

        Settings s = Settings.from(config(0, -1, 0, "SUCCESS", 0, "maybe", -2, 0, -1, -5, false), problems::add);

        assertThat(s).isEqualTo(Settings.DEFAULTS);
        assertThat(problems).hasSize(10).contains(
                "configuration partials.per.device = 0 is below its minimum 1; using the default 256",
                "configuration timeout.response = 'SUCCESS' is not INVALID or FAILURE; using the default INVALID",
                "configuration queue.full.response = 'maybe' is not INVALID or FAILURE; using the default FAILURE");
    }

    @Test
    void theMetatypeDefaultsAreTheSettingsDefaults() {
        List<String> problems = new ArrayList<>();

        Settings s = Settings.from(Configs.of(Map.of()), problems::add);

        assertThat(problems).isEmpty();
        assertThat(s).isEqualTo(Settings.DEFAULTS);
    }

    @Test
    void settingsGivenByCallAreValidatedAsAConfigurationIs() {
        List<String> problems = new ArrayList<>();

        Settings s = Settings.validated(Settings.DEFAULTS.withPartials(0, 64).withQueueDepth(-3), problems::add);

        assertThat(s).isEqualTo(Settings.DEFAULTS.withPartials(Settings.DEFAULTS.partialsPerDevice(), 64));
        assertThat(problems).containsExactly(
                "configuration partials.per.device = 0 is below its minimum 1; using the default 256",
                "configuration queue.depth = -3 is below its minimum 1; using the default 256");
    }
}
