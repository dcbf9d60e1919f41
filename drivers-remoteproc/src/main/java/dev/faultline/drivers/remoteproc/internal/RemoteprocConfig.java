package dev.faultline.drivers.remoteproc.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Settings of one remote processor (factory configuration {@value RemoteprocComponent#PID}). */
@ObjectClassDefinition(name = "Faultline remote processor")
public @interface RemoteprocConfig {
    /** The default IOMMU domain name, also the handler's default {@code faultline.domain}. */
    String DEFAULT_DOMAIN = "remoteproc0";

    /** {@code rproc->name}. */
    @AttributeDefinition(description = "processor name, e.g. adsp")
    String name() default "adsp";

    /** The class device name the lines are printed for. */
    @AttributeDefinition(name = "device.name", description = "class device name, e.g. remoteproc0")
    String device_name() default "remoteproc0";

    /** The processor's device id, as the machine's device list names it. */
    @AttributeDefinition(description = "device id of the processor behind the SMMU, e.g. platform:adsp")
    String device();

    /** The IOMMU domain name; the handler serves it (it is the service property of the same name). */
    @AttributeDefinition(name = "faultline.domain", description = "IOMMU domain name the fault handler serves")
    String faultline_domain() default DEFAULT_DOMAIN;

    /** The firmware image. */
    @AttributeDefinition(description = "firmware image name")
    String firmware() default "heartbeat.mbn";

    /** Whether the processor boots when the component activates. */
    @AttributeDefinition(description = "boot at activation")
    boolean boot() default true;

    /** The {@code recovery} knob's initial value. */
    @AttributeDefinition(name = "recovery.enabled", description = "recover crashes (else they stay crashed)")
    boolean recovery_enabled() default true;

    /** Whether recovery takes a coredump first. */
    @AttributeDefinition(name = "coredump.enabled", description = "dump the carveouts before reloading")
    boolean coredump_enabled() default true;

    /** Crash-loop bound: recoveries per window. */
    @AttributeDefinition(name = "crashloop.max.recoveries",
            description = "automatic recoveries allowed per window (0: unbounded)", min = "0")
    int crashloop_max_recoveries() default 3;

    /** Crash-loop window. */
    @AttributeDefinition(name = "crashloop.window.ms", description = "crash-loop window in milliseconds", min = "1")
    long crashloop_window_ms() default 60_000;

    /** How often the core gets a time slice. */
    @AttributeDefinition(name = "tick.period.ms",
            description = "period of the core's time slices in milliseconds (0: it never runs by itself)", min = "0")
    long tick_period_ms() default 10;

    /** Instructions per time slice. */
    @AttributeDefinition(name = "tick.budget", description = "instructions per time slice", min = "1")
    int tick_budget() default 64;

    /** How long one DMA access may wait. */
    @AttributeDefinition(name = "dma.timeout.ms", description = "DMA timeout in milliseconds", min = "1")
    long dma_timeout_ms() default 1000;

    /** Which SMMU (DS reference target). */
    @AttributeDefinition(name = "smmu.target", description = "filter selecting the SMMU, e.g. (iommu.name=smmuv3.0)")
    String smmu_target() default "(iommu.name=*)";
}
