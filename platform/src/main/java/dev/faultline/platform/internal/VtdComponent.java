package dev.faultline.platform.internal;

import dev.faultline.platform.dma.TranslationPort;
import dev.faultline.platform.machine.Machine;
import dev.faultline.platform.vtd.Capability;
import dev.faultline.platform.vtd.ExtendedCapability;
import dev.faultline.platform.vtd.RemappingUnit;
import dev.faultline.platform.vtd.UnitConfiguration;
import java.util.Hashtable;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Installs one simulated VT-d remapping unit in the {@link Machine} (one per factory configuration) and
 * registers it as a {@link RemappingUnit} and {@link TranslationPort} service with property
 * {@value SmmuComponent#NAME_PROPERTY}, as {@link SmmuComponent} does for SMMUv3.
 */
@Component(configurationPid = VtdComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = VtdComponent.Config.class, factory = true)
public final class VtdComponent {
    /** The factory configuration PID. */
    public static final String PID = "dev.faultline.platform.vtd";

    /** One unit's features (VT-d CAP and ECAP registers). */
    @ObjectClassDefinition(name = "Faultline simulated VT-d remapping unit")
    public @interface Config {
        /** The unit name. */
        @AttributeDefinition(description = "unit name (dmar0, dmar1, ...)")
        String name() default "dmar0";

        /** The PCI segment of its devices. */
        @AttributeDefinition(description = "PCI segment of the devices behind the unit")
        int segment() default 0;

        /** CAP.NFR. */
        @AttributeDefinition(description = "number of fault recording registers (1 to 256)")
        int fault_records() default 8;

        /** ECAP.PSS + 1. */
        @AttributeDefinition(description = "PASID width in bits (1 to 20)")
        int pasid_bits() default 20;

        /** ECAP.PRS. */
        @AttributeDefinition(description = "page requests supported")
        boolean page_requests() default true;

        /** ECAP.SRS. */
        @AttributeDefinition(description = "supervisor requests supported")
        boolean supervisor_requests() default true;

        /** ECAP.ERS. */
        @AttributeDefinition(description = "execute requests supported")
        boolean execute_requests() default false;

        /** The host address width. */
        @AttributeDefinition(description = "host address width in bits (32 to 52)")
        int address_width() default 46;

        /** Fault compression (VT-d FRCD.F: further faults of a source with a pending record may be collapsed). */
        @AttributeDefinition(description = "collapse faults of a source id that has a pending fault record")
        boolean fault_compression() default false;
    }

    @Reference
    private Machine machine;
    private RemappingUnit unit;
    private ServiceRegistration<?> registration;

    @Activate
    void activate(BundleContext context, Config c) {
        long features = UnitConfiguration.STANDARD_FEATURES;
        features = c.page_requests() ? features : features & ~ExtendedCapability.PAGE_REQUESTS;
        features = c.supervisor_requests() ? features : features & ~ExtendedCapability.SUPERVISOR_REQUESTS;
        features = c.execute_requests() ? features | ExtendedCapability.EXECUTE_REQUESTS : features;
        UnitConfiguration configuration = new UnitConfiguration(c.name(), c.segment(),
                Capability.of(6, false, 0x4, 48, UnitConfiguration.FAULT_RECORDING_OFFSET, c.fault_records(), true,
                        true),
                ExtendedCapability.of(features, c.pasid_bits()), c.address_width(), 1L << c.address_width());
        unit = new RemappingUnit(configuration, machine.memory());
        unit.compressFaults(c.fault_compression());
        machine.addIommu(unit);
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(SmmuComponent.NAME_PROPERTY, c.name());
        registration = context.registerService(
                new String[] {RemappingUnit.class.getName(), TranslationPort.class.getName()}, unit, props);
    }

    @Deactivate
    void deactivate() {
        registration.unregister();
        machine.removeIommu(unit);
    }
}
