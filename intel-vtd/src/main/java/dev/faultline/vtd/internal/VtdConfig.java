package dev.faultline.vtd.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Settings of the VT-d backend for one remapping unit (factory PID {@value VtdBackendComponent#PID}). */
@ObjectClassDefinition(name = "Faultline Intel VT-d backend",
        description = "Drives one VT-d remapping unit: page request queue, fault recording, page group responses")
public @interface VtdConfig {

    /** Which unit to drive: a filter on the unit service's properties. */
    @AttributeDefinition(name = "unit.target", description = "filter selecting the remapping unit service,"
            + " e.g. (iommu.name=dmar1)")
    String unit_target() default "(iommu.name=*)";

    /** Linux {@code PRQ_ORDER}. */
    @AttributeDefinition(name = "prq.order", description = "page request queue size: 2^order 4 KiB pages (0 to 7;"
            + " 4 = 2048 descriptors, as Linux)")
    int prq_order() default 4;

    /** How long a page group response may wait for the unit. */
    @AttributeDefinition(name = "invalidation.timeout.ms", description = "how long an invalidation wait may take"
            + " before the response counts as lost (1 to 60000)")
    long invalidation_timeout_ms() default 1000;

    /** Linux {@code DEFAULT_RATELIMIT_BURST}. */
    @AttributeDefinition(name = "log.burst", description = "kernel-format lines per window (0 prints none)")
    int log_burst() default 10;

    /** Linux {@code DEFAULT_RATELIMIT_INTERVAL}. */
    @AttributeDefinition(name = "log.interval.ms", description = "rate-limit window in milliseconds"
            + " (0 disables the limit)")
    long log_interval_ms() default 5000;
}
