package dev.faultline.core.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/** The core's settings (PID {@value FaultPipelineComponent#PID}); invalid values fall back to the default, logged. */
@ObjectClassDefinition(name = "Faultline core", description = "Fault pipeline: grouping bounds, deadlines, dispatch"
        + " queues, host log rate limit.")
@interface CoreConfig {

    @AttributeDefinition(name = "Partials per device", min = "1",
            description = "Partial page requests parked per device at most; more are dropped (counted).")
    int partials_per_device() default Settings.DEFAULT_PARTIALS_PER_DEVICE;

    @AttributeDefinition(name = "Partials in total", min = "1",
            description = "Partial page requests parked over all devices at most; more are dropped (counted).")
    int partials_total() default Settings.DEFAULT_PARTIALS_TOTAL;

    @AttributeDefinition(name = "Default timeout (ms)", min = "1",
            description = "Deadline of deferred and queued groups for handlers without faultline.timeout.ms.")
    long timeout_default_ms() default Settings.DEFAULT_TIMEOUT_MS;

    @AttributeDefinition(name = "Timeout response", description = "The answer the core sends at a deadline.",
            options = {@Option(label = "INVALID", value = "INVALID"), @Option(label = "FAILURE", value = "FAILURE")})
    String timeout_response() default "INVALID";

    @AttributeDefinition(name = "Queue depth", min = "1",
            description = "Groups waiting per queued handler at most; a group that finds the queue full is answered.")
    int queue_depth() default Settings.DEFAULT_QUEUE_DEPTH;

    @AttributeDefinition(name = "Queue-full response", description = "The answer to a group a full queue cannot take.",
            options = {@Option(label = "FAILURE", value = "FAILURE"), @Option(label = "INVALID", value = "INVALID")})
    String queue_full_response() default "FAILURE";

    @AttributeDefinition(name = "Quarantine after", min = "0",
            description = "Consecutive throws or blocking calls after which a handler is quarantined; 0 never.")
    int quarantine_after() default Settings.DEFAULT_QUARANTINE_AFTER;

    @AttributeDefinition(name = "Inline blocking threshold (ms)", min = "1",
            description = "An inline handler call running longer than this is counted as slow (blocking).")
    long inline_block_ms() default Settings.DEFAULT_INLINE_BLOCK_MS;

    @AttributeDefinition(name = "Log burst", min = "0",
            description = "Unhandled-fault lines printed per device and interval (Linux DEFAULT_RATELIMIT_BURST).")
    int log_burst() default Settings.DEFAULT_LOG_BURST;

    @AttributeDefinition(name = "Log interval (ms)", min = "0",
            description = "The rate-limit interval (Linux DEFAULT_RATELIMIT_INTERVAL, 5 s); 0 disables limiting.")
    long log_interval_ms() default Settings.DEFAULT_LOG_INTERVAL_MS;

    @AttributeDefinition(name = "Precise timestamps",
            description = "Read the system clock for every report (FaultGroup.reportedNanos exact, about 20 ns more per"
            + " fault on a virtual machine); otherwise reports carry the core's millisecond clock.")
    boolean timestamps_precise() default false;
}
