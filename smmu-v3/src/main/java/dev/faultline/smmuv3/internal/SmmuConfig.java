package dev.faultline.smmuv3.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The backend's configuration (PID {@value SmmuBackends#PID}); it applies to every SMMU. */
@ObjectClassDefinition(name = "Faultline SMMUv3 backend")
public @interface SmmuConfig {
    /** Requested event queue size. */
    @AttributeDefinition(description = "log2 of the event queue entries (capped by IDR1.EVTQS)")
    int evtq_log2() default 8;

    /** Requested PRI queue size. */
    @AttributeDefinition(description = "log2 of the PRI queue entries (capped by IDR1.PRIQS)")
    int priq_log2() default 8;

    /** Requested command queue size. */
    @AttributeDefinition(description = "log2 of the command queue entries (capped by IDR1.CMDQS)")
    int cmdq_log2() default 8;

    /** Print rate limit burst. */
    @AttributeDefinition(description = "event lines printed per interval")
    int print_burst() default 10;

    /** Print rate limit interval. */
    @AttributeDefinition(description = "print rate-limit interval in ms; 0 disables the limit")
    long print_interval_ms() default 5000;

    /** CR2.RECINVSID. */
    @AttributeDefinition(description = "record C_BAD_STREAMID for out-of-range StreamIDs")
    boolean record_invalid_sid() default true;

    /** CMD_SYNC timeout. */
    @AttributeDefinition(description = "CMD_SYNC timeout in ms")
    long sync_timeout_ms() default 1000;
}
