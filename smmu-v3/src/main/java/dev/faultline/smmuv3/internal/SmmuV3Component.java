package dev.faultline.smmuv3.internal;

import dev.faultline.api.backend.FaultPipeline;
import dev.faultline.platform.machine.Machine;
import dev.faultline.platform.smmuv3.Smmu;
import dev.faultline.smmuv3.SmmuDomains;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The SMMUv3 backend: drives every {@link Smmu} of the {@link Machine}, connected to the core's
 * {@link FaultPipeline}, and registers a {@link SmmuDomains} service per SMMU. Deactivation (bundle stop,
 * configuration change, core or machine gone) stops each driver and leaves its SMMU running for the next one.
 */
@Component(service = SmmuDrivers.class, immediate = true, configurationPid = SmmuV3Component.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = SmmuV3Component.Config.class)
public final class SmmuV3Component implements SmmuDrivers {
    /** The configuration PID. */
    public static final String PID = "dev.faultline.smmuv3";

    /** Driver settings; they apply to every SMMU. */
    @ObjectClassDefinition(name = "Faultline SMMUv3 backend")
    public @interface Config {
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

    private final FaultPipeline pipeline;
    private final Machine machine;
    private final DriverLog log;
    private final DriverSettings settings;
    private final BundleContext context;
    private final Map<Smmu, Running> drivers = new LinkedHashMap<>();
    private boolean active;

    private record Running(SmmuDriver driver, ServiceRegistration<SmmuDomains> registration) {
    }

    @Activate
    public SmmuV3Component(BundleContext context, Config config, @Reference FaultPipeline pipeline,
            @Reference Machine machine, @Reference(service = LoggerFactory.class) Logger logger) {
        this.context = context;
        this.pipeline = pipeline;
        this.machine = machine;
        this.log = new OsgiDriverLog(logger);
        DriverSettings s;
        try {
            s = new DriverSettings(config.evtq_log2(), config.priq_log2(), config.cmdq_log2(), config.print_burst(),
                    config.print_interval_ms(), config.record_invalid_sid(), config.sync_timeout_ms());
        } catch (IllegalArgumentException e) {
            logger.error("bad " + PID + " configuration (" + e.getMessage() + "); using the defaults");
            s = DriverSettings.defaults();
        }
        this.settings = s;
    }

    @Activate
    synchronized void activate() {
        active = true;
        for (Smmu smmu : pending.values()) {
            start(smmu);
        }
        pending.clear();
    }

    private final Map<Smmu, Smmu> pending = new LinkedHashMap<>();

    /** An SMMU appeared. */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    synchronized void addSmmu(Smmu smmu) {
        if (active) {
            start(smmu);
        } else {
            pending.put(smmu, smmu);
        }
    }

    /** An SMMU went away. */
    synchronized void removeSmmu(Smmu smmu) {
        pending.remove(smmu);
        Running r = drivers.remove(smmu);
        if (r != null) {
            stop(r);
        }
    }

    private void start(Smmu smmu) {
        if (machine.iommu(smmu.name()).orElse(null) != smmu) {
            log.error("smmu " + smmu.name() + " is not installed in machine " + machine.name() + "; not driven");
            return;
        }
        SmmuDriver driver = new SmmuDriver(smmu, machine, pipeline, settings, log, System::nanoTime);
        try {
            driver.start();
        } catch (RuntimeException e) {
            log.error("arm-smmu-v3 " + smmu.name() + ": probe failed: " + e);
            return;
        }
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("iommu.name", smmu.name());
        drivers.put(smmu, new Running(driver, context.registerService(SmmuDomains.class, driver, props)));
    }

    private void stop(Running r) {
        try {
            r.registration().unregister();
        } catch (IllegalStateException alreadyGone) {
            // the framework unregistered it during bundle stop
        }
        r.driver().stop();
    }

    @Deactivate
    synchronized void deactivate() {
        active = false;
        for (Running r : drivers.values()) {
            stop(r);
        }
        drivers.clear();
    }

    @Override
    public synchronized Map<String, SmmuDriver> drivers() {
        Map<String, SmmuDriver> out = new LinkedHashMap<>();
        drivers.forEach((smmu, r) -> out.put(smmu.name(), r.driver()));
        return out;
    }
}
