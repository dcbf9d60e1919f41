package dev.faultline.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.fault.ResponseCode;
import java.lang.annotation.Annotation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SettingsTest {

    /** A configuration with every value given. */
    private static CoreConfig config(int perDevice, int total, long timeout, String timeoutResponse, int depth,
            String fullResponse, int quarantine, long block, int burst, long interval, boolean precise) {
        return new CoreConfig() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return CoreConfig.class;
            }

            @Override
            public int partials_per_device() {
                return perDevice;
            }

            @Override
            public int partials_total() {
                return total;
            }

            @Override
            public long timeout_default_ms() {
                return timeout;
            }

            @Override
            public String timeout_response() {
                return timeoutResponse;
            }

            @Override
            public int queue_depth() {
                return depth;
            }

            @Override
            public String queue_full_response() {
                return fullResponse;
            }

            @Override
            public int quarantine_after() {
                return quarantine;
            }

            @Override
            public long inline_block_ms() {
                return block;
            }

            @Override
            public int log_burst() {
                return burst;
            }

            @Override
            public long log_interval_ms() {
                return interval;
            }

            @Override
            public boolean timestamps_precise() {
                return precise;
            }

            @Override
            public int quarantine_after_throws() {
                return HandlerPolicy.COMMON;
            }

            @Override
            public int quarantine_after_blocks() {
                return HandlerPolicy.COMMON;
            }

            @Override
            public int quarantine_after_timeouts() {
                return HandlerPolicy.COMMON;
            }

            @Override
            public long quarantine_backoff_ms() {
                return HandlerPolicy.DEFAULT_BACKOFF_MS;
            }

            @Override
            public long handover_window_ms() {
                return HandlerPolicy.DEFAULT_HANDOVER_MS;
            }

            @Override
            public int handover_capacity() {
                return HandlerPolicy.DEFAULT_HANDOVER_CAPACITY;
            }

            @Override
            public long cleanup_window_ms() {
                return HandlerPolicy.DEFAULT_CLEANUP_MS;
            }

            @Override
            public String[] owners() {
                return new String[0];
            }

            @Override
            public String[] guest_handlers() {
                return new String[] {HandlerPolicy.VIOMMU_BUNDLE};
            }
        };
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
}
