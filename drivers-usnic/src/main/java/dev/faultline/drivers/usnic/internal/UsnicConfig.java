package dev.faultline.drivers.usnic.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Settings of one usNIC VF (factory configuration {@value UsnicComponent#PID}). */
@ObjectClassDefinition(name = "Faultline usNIC virtual function")
public @interface UsnicConfig {

    /** The VF's PCI requester id, as the machine's firmware lists it. */
    @AttributeDefinition(description = "PCI requester id of the VF, e.g. 0000:05:00.1")
    String device();

    /** The protection domain's name; empty for {@code usnic-<device>}. */
    @AttributeDefinition(description = "IOMMU domain name of the protection domain (empty: usnic-<device>)")
    String domain() default "";

    /** How long one NIC access may wait. */
    @AttributeDefinition(description = "DMA timeout in milliseconds", min = "1")
    long dma_timeout_ms() default 1000;

    /** Which VT-d unit to attach to (DS reference target). */
    @AttributeDefinition(description = "filter selecting the VT-d unit, e.g. (faultline.iommu=dmar0)")
    String iommu_target() default "(faultline.iommu=*)";
}
