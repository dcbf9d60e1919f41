package dev.faultline.viommu.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration {@code dev.faultline.viommu}: the limits every guest gets unless its VMM gives others. */
@ObjectClassDefinition(name = "Faultline virtual IOMMUs",
        description = "Default bounds of each guest's virtual IOMMU")
public @interface ViommuConfiguration {

    /** {@code event.queue.depth}. */
    @AttributeDefinition(description = "Unread events a guest's queue holds; more are counted as lost", min = "1")
    int event_queue_depth() default 256;

    /** {@code pending.groups.max}. */
    @AttributeDefinition(description = "Page request groups a guest may hold unanswered; more are answered INVALID",
            min = "1")
    int pending_groups_max() default 1024;

    /** {@code rate.per.second}. */
    @AttributeDefinition(description = "Faults per second a guest is given (token-bucket refill); 0 = no limit",
            min = "0")
    long rate_per_second() default 10_000;

    /** {@code rate.burst}. */
    @AttributeDefinition(description = "Faults a guest is given back to back (token-bucket size)", min = "1")
    int rate_burst() default 256;

    /** {@code response.timeout.ms}. */
    @AttributeDefinition(description = "Milliseconds the core waits for a guest's answer; 0 = the core's default",
            min = "0")
    long response_timeout_ms() default 0;

    /** {@code raw.records}. */
    @AttributeDefinition(description = "Pass the host's raw fault records to guests (device id rewritten) instead"
            + " of records built from permissions, address and the guest's own tables")
    boolean raw_records() default false;
}
