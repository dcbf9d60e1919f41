package dev.faultline.drivers.msm.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Settings of one Adreno GPU (factory configuration {@value MsmComponent#PID}). */
@ObjectClassDefinition(name = "Faultline msm GPU")
public @interface MsmConfig {

    /** The GPU's name in its lines. */
    @AttributeDefinition(description = "GPU name, e.g. a660")
    String name() default "a660";

    /** The GPU's device id; the handler serves it (it is the service property of the same name). */
    @AttributeDefinition(name = "faultline.device",
            description = "device id of the GPU behind the SMMU, e.g. platform:gpu0; the fault handler serves it")
    String faultline_device();

    /** How contexts reach the SMMU. */
    @AttributeDefinition(description = "pasid: one PASID per context; ttbr: the PASID-less table is switched per job",
            options = {@org.osgi.service.metatype.annotations.Option(value = "pasid"),
                @org.osgi.service.metatype.annotations.Option(value = "ttbr")})
    String contexts() default "pasid";

    /** Whether stall-on-fault is requested at start. */
    @AttributeDefinition(name = "stall.on.fault", description = "turn stall-on-fault on at start")
    boolean stall_on_fault() default true;

    /** Linux's 500 ms. */
    @AttributeDefinition(name = "stall.cooldown.ms",
            description = "stall stays off this long after the last fault (Linux: 500)", min = "0")
    long stall_cooldown_ms() default 500;

    /** {@code DEFAULT_RATELIMIT_INTERVAL}. */
    @AttributeDefinition(name = "ratelimit.interval.ms",
            description = "fault-line rate-limit window in milliseconds (0: no limit)", min = "0")
    long ratelimit_interval_ms() default 5000;

    /** {@code DEFAULT_RATELIMIT_BURST}. */
    @AttributeDefinition(name = "ratelimit.burst", description = "fault lines per window", min = "0")
    int ratelimit_burst() default 10;

    /** Snapshots kept. */
    @AttributeDefinition(name = "snapshot.history", description = "snapshots kept for the status", min = "1")
    int snapshot_history() default 16;

    /** How often the ring is processed. */
    @AttributeDefinition(name = "run.period.ms",
            description = "period of ring processing in milliseconds (0: it never runs by itself)", min = "0")
    long run_period_ms() default 5;

    /** How long one access may wait while stalled. */
    @AttributeDefinition(name = "dma.timeout.ms", description = "DMA timeout in milliseconds", min = "1")
    long dma_timeout_ms() default 1000;

    /** Which SMMU (DS reference target). */
    @AttributeDefinition(name = "smmu.target", description = "filter selecting the SMMU, e.g. (iommu.name=smmuv3.0)")
    String smmu_target() default "(iommu.name=*)";
}
