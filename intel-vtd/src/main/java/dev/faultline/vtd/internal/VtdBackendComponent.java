package dev.faultline.vtd.internal;

import dev.faultline.api.backend.FaultPipeline;
import dev.faultline.api.fault.PciRequesterId;
import dev.faultline.core.log.OsgiLogSink;
import dev.faultline.platform.machine.DeviceNode;
import dev.faultline.platform.machine.Machine;
import dev.faultline.platform.machine.TopologyListener;
import dev.faultline.platform.vtd.RemappingUnit;
import dev.faultline.vtd.VtdIommu;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The VT-d backend as a Declarative Services component: drives one {@link RemappingUnit} of the simulated
 * {@link Machine} (selected by {@code unit.target}), connects it to the core's {@link FaultPipeline}, announces
 * the devices the machine's firmware places behind it (and follows hot plug), and registers the unit's
 * {@link VtdIommu} service with {@value VtdIommu#NAME_PROPERTY} set to the unit's name.
 *
 * <p>Deactivation (configuration change, a dependency leaving, the bundle stopping) quiesces the driver and
 * leaves the unit running and consistent, so the next instance takes over and drains what was queued in
 * between.
 */
@Component(service = {}, configurationPid = VtdBackendComponent.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = VtdConfig.class, factory = true)
public final class VtdBackendComponent {
    /** The factory configuration PID. */
    public static final String PID = "dev.faultline.vtd";

    private final UnitDriver driver;
    private final Machine machine;
    private final TopologyListener topology;
    private final ServiceRegistration<VtdIommu> registration;

    /** Starts the driver of {@code unit}; bad settings fall back to their defaults and are logged. */
    @Activate
    public VtdBackendComponent(BundleContext context, VtdConfig config, @Reference FaultPipeline pipeline,
            @Reference Machine machine, @Reference(name = "unit") RemappingUnit unit,
            @Reference(service = LoggerFactory.class) Logger logger) {
        List<String> problems = new ArrayList<>();
        DriverSettings settings = DriverSettings.of(config.prq_order(), config.invalidation_timeout_ms(),
                config.log_burst(), config.log_interval_ms(), problems::add);
        problems.forEach(p -> logger.warn("{}: {}", unit.name(), p));
        this.machine = machine;
        this.driver = new UnitDriver(unit, machine.frames(), pipeline, settings,
                new OsgiLogSink(logger), System::nanoTime);
        driver.start();
        for (DeviceNode node : machine.devicesBehind(unit.name())) {
            announce(node, logger);
        }
        this.topology = new TopologyListener() {
            @Override
            public void deviceAdded(DeviceNode node) {
                if (node.iommu().equals(unit.name())) {
                    announce(node, logger);
                }
            }

            @Override
            public void deviceRemoved(DeviceNode node) {
                if (node.iommu().equals(unit.name()) && node.id() instanceof PciRequesterId pci) {
                    driver.removeDevice(pci);
                }
            }
        };
        machine.addTopologyListener(topology);
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(VtdIommu.NAME_PROPERTY, unit.name());
        this.registration = context.registerService(VtdIommu.class, driver, props);
    }

    private void announce(DeviceNode node, Logger logger) {
        if (node.id() instanceof PciRequesterId pci && pci.rid() == node.requesterId()
                && pci.segment() == driver.segment()) {
            try {
                driver.addDevice(pci, node.pri());
            } catch (IllegalStateException stopped) {
                // this instance is going away (a reconfiguration or swap): the next one announces every device
                // behind the unit when it starts
                logger.info("{}: {} not announced by a stopping backend instance: {}", driver.name(), node.id(),
                        stopped.getMessage());
            }
        } else {
            logger.warn("{}: device node {} is not a PCI function of segment {} with its requester id",
                    driver.name(), node, driver.segment());
        }
    }

    @Deactivate
    void deactivate() {
        registration.unregister();
        machine.removeTopologyListener(topology);
        driver.stop();
    }

    /** The driver (for tests in this package). */
    UnitDriver driver() {
        return driver;
    }
}
