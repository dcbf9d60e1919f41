package dev.faultline.platform.internal;

import dev.faultline.platform.dma.TranslationPort;
import dev.faultline.platform.machine.Machine;
import dev.faultline.platform.smmuv3.Smmu;
import dev.faultline.platform.smmuv3.SmmuFeatures;
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
 * Installs one simulated SMMUv3 in the {@link Machine} (one per factory configuration) and registers it as an
 * {@link Smmu} and {@link TranslationPort} service with property {@value #NAME_PROPERTY}.
 */
@Component(configurationPid = SmmuComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = SmmuComponent.Config.class, factory = true)
public final class SmmuComponent {
    /** The factory configuration PID. */
    public static final String PID = "dev.faultline.platform.smmuv3";
    /** Service property naming the SMMU instance. */
    public static final String NAME_PROPERTY = "iommu.name";

    /** One SMMU's features (IHI 0070 §6.3 ID registers). */
    @ObjectClassDefinition(name = "Faultline simulated SMMUv3")
    public @interface Config {
        /** The instance name. */
        @AttributeDefinition(description = "instance name")
        String name() default "smmuv3.0";

        /** IDR1.SIDSIZE. */
        @AttributeDefinition(description = "StreamID bits")
        int sid_bits() default 16;

        /** IDR1.SSIDSIZE. */
        @AttributeDefinition(description = "SubstreamID bits")
        int ssid_bits() default 20;

        /** IDR0.STALL_MODEL. */
        @AttributeDefinition(description = "0 stall and terminate, 1 terminate only, 2 stall forced")
        int stall_model() default 0;

        /** IDR0.TERM_MODEL. */
        @AttributeDefinition(description = "terminations always abort")
        boolean term_model() default false;

        /** IDR0.PRI. */
        @AttributeDefinition(description = "PRI queue present")
        boolean pri() default true;

        /** IDR1.EVTQS. */
        @AttributeDefinition(description = "log2 of the largest event queue")
        int evtq_log2() default 8;

        /** IDR1.PRIQS. */
        @AttributeDefinition(description = "log2 of the largest PRI queue")
        int priq_log2() default 8;

        /** IDR1.CMDQS. */
        @AttributeDefinition(description = "log2 of the largest command queue")
        int cmdq_log2() default 8;

        /** IDR5.STALL_MAX. */
        @AttributeDefinition(description = "most transactions stalled at once")
        int stall_max() default 64;
    }

    @Reference
    private Machine machine;
    private Smmu smmu;
    private ServiceRegistration<?> registration;

    @Activate
    void activate(BundleContext context, Config c) {
        SmmuFeatures features = new SmmuFeatures(c.sid_bits(), c.ssid_bits(), c.stall_model(), c.term_model(),
                c.pri(), c.pri(), true, true, 5, c.evtq_log2(), c.priq_log2(), c.cmdq_log2(), c.stall_max());
        smmu = new Smmu(c.name(), features, machine.memory());
        machine.addIommu(smmu);
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(NAME_PROPERTY, c.name());
        registration = context.registerService(new String[] {Smmu.class.getName(), TranslationPort.class.getName()},
                smmu, props);
    }

    @Deactivate
    void deactivate() {
        registration.unregister();
        machine.removeIommu(smmu);
    }
}
