package dev.faultline.smmuv3.internal;

import dev.faultline.api.backend.FaultPipeline;
import dev.faultline.core.log.OsgiLogSink;
import dev.faultline.platform.machine.Machine;
import dev.faultline.platform.smmuv3.Smmu;
import dev.faultline.smmuv3.SmmuDomains;
import java.util.Hashtable;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * The SMMUv3 backend of one SMMU: drives it (bring-up or takeover), connected to the core's {@link FaultPipeline},
 * and registers its {@link SmmuDomains} service (property {@value SmmuDomains#NAME_PROPERTY}). Created by
 * {@link SmmuBackends}, one per SMMU, from this component factory. Deactivation (bundle stop, configuration change,
 * the SMMU, the core or the machine gone) stops the driver and leaves the SMMU running for the next one.
 */
@Component(factory = SmmuBackendComponent.FACTORY, service = {}, configurationPolicy = ConfigurationPolicy.IGNORE)
public final class SmmuBackendComponent {
    /** The component factory's name. */
    public static final String FACTORY = "dev.faultline.smmuv3.backend";
    /** The name of the reference to the SMMU, whose target {@link SmmuBackends} sets per instance. */
    static final String SMMU_REFERENCE = "smmu";

    private final SmmuDriver driver;
    private final ServiceRegistration<SmmuDomains> registration;

    /**
     * Starts the driver of {@code smmu}; a bad configuration falls back to the defaults and is logged.
     *
     * @throws IllegalStateException if the SMMU is not the machine's or its probe fails (logged; not driven)
     */
    @Activate
    public SmmuBackendComponent(BundleContext context, SmmuConfig config, @Reference FaultPipeline pipeline,
            @Reference Machine machine, @Reference(name = SMMU_REFERENCE) Smmu smmu,
            @Reference(service = LoggerFactory.class) Logger logger) {
        DriverSettings settings;
        try {
            settings = new DriverSettings(config.evtq_log2(), config.priq_log2(), config.cmdq_log2(),
                    config.print_burst(), config.print_interval_ms(), config.record_invalid_sid(),
                    config.sync_timeout_ms());
        } catch (IllegalArgumentException e) {
            logger.error("bad " + SmmuBackends.PID + " configuration (" + e.getMessage() + "); using the defaults");
            settings = DriverSettings.defaults();
        }
        if (machine.iommu(smmu.name()).orElse(null) != smmu) {
            String problem = "smmu " + smmu.name() + " is not installed in machine " + machine.name()
                    + "; not driven";
            logger.error(problem);
            throw new IllegalStateException(problem);
        }
        this.driver = new SmmuDriver(smmu, machine, pipeline, settings,
                new OsgiLogSink(logger), System::nanoTime);
        try {
            driver.start();
        } catch (RuntimeException e) {
            logger.error("arm-smmu-v3 " + smmu.name() + ": probe failed: " + e);
            throw e;
        }
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(SmmuDomains.NAME_PROPERTY, smmu.name());
        this.registration = context.registerService(SmmuDomains.class, driver, props);
    }

    @Deactivate
    void deactivate() {
        try {
            registration.unregister();
        } catch (IllegalStateException alreadyGone) {
            // the framework unregistered it during bundle stop
        }
        driver.stop();
    }
}
