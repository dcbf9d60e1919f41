package dev.faultline.core.internal.configure;

import dev.faultline.core.internal.CoreComponent;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/** The core's settings (PID {@value CoreComponent#PID}); invalid values fall back to the default, logged. */
@ObjectClassDefinition(name = "Faultline core", description = "Fault pipeline: grouping bounds, deadlines, dispatch"
        + " queues, host log rate limit.")
public @interface CoreConfig {

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

    @AttributeDefinition(name = "Quarantine after throws", min = "-1",
            description = "Consecutive throwing calls after which a handler is quarantined; 0 never; -1 quarantine.after.")
    int quarantine_after_throws() default HandlerPolicy.COMMON;

    @AttributeDefinition(name = "Quarantine after blocks", min = "-1", description = "Consecutive inline calls"
            + " running past inline.block.ms after which a handler is quarantined; 0 never; -1 quarantine.after.")
    int quarantine_after_blocks() default HandlerPolicy.COMMON;

    @AttributeDefinition(name = "Quarantine after timeouts", min = "-1", description = "Consecutive groups the core"
            + " answered at their deadline after which a handler is quarantined; 0 never; -1 quarantine.after.")
    int quarantine_after_timeouts() default HandlerPolicy.COMMON;

    @AttributeDefinition(name = "Quarantine back-off (ms)", min = "0", description = "How long a quarantine lasts"
            + " before the handler is released on probation (one failure re-quarantines it, with twice the back-off);"
            + " 0 until released by hand (faultline:release).")
    long quarantine_backoff_ms() default HandlerPolicy.DEFAULT_BACKOFF_MS;

    @AttributeDefinition(name = "Hand-over window (ms)", min = "0", description = "How long faults of a departed"
            + " handler's target wait for a replacement (bundle update, swap, DS reactivation); 0 not at all.")
    long handover_window_ms() default HandlerPolicy.DEFAULT_HANDOVER_MS;

    @AttributeDefinition(name = "Hand-over capacity", min = "0",
            description = "Groups waiting for replacement handlers at most, over all targets; more are answered INVALID.")
    int handover_capacity() default HandlerPolicy.DEFAULT_HANDOVER_CAPACITY;

    @AttributeDefinition(name = "Clean-up window (ms)", min = "0", description = "How long a departed handler's"
            + " held groups stay its own to answer or hand back during its clean-up; then the core answers them INVALID.")
    long cleanup_window_ms() default HandlerPolicy.DEFAULT_CLEANUP_MS;

    @AttributeDefinition(name = "Owners", description = "Configured owners of targets, as device:<id>=<bundle> or"
            + " domain:<name>=<bundle>; other bundles' registrations for them are refused.")
    String[] owners() default {};

    @AttributeDefinition(name = "Guest handlers", description = "Bundles that may register a guest's vIOMMU"
            + " (faultline.guest), the only handlers of guest-owned domains.")
    String[] guest_handlers() default {HandlerPolicy.VIOMMU_BUNDLE};
}
