package dev.faultline.smmuv3.internal;

import dev.faultline.platform.smmuv3.Smmu;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.Map;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.ComponentConstants;
import org.osgi.service.component.ComponentException;
import org.osgi.service.component.ComponentFactory;
import org.osgi.service.component.ComponentInstance;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;

/**
 * One {@link SmmuBackendComponent} per {@link Smmu} service: each SMMU that appears gets its own component
 * instance (from the component factory {@value SmmuBackendComponent#FACTORY}), configured with this component's
 * configuration (PID {@value #PID}, which applies to every SMMU) and bound to that SMMU alone; an SMMU that leaves
 * disposes its instance. A configuration change restarts this component and with it every instance, whose new
 * drivers take their SMMUs over.
 */
@Component(service = {}, immediate = true, configurationPid = SmmuBackends.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = SmmuConfig.class)
public final class SmmuBackends {
    /** The configuration PID. */
    public static final String PID = "dev.faultline.smmuv3";

    private final ComponentFactory<SmmuBackendComponent> factory;
    private final Map<String, Object> configuration;
    private final Map<Long, ComponentInstance<SmmuBackendComponent>> instances = new HashMap<>();
    private boolean active = true;

    /** Takes the configuration every instance gets. */
    @Activate
    public SmmuBackends(Map<String, Object> properties, @Reference(target = "(" + ComponentConstants.COMPONENT_FACTORY
            + "=" + SmmuBackendComponent.FACTORY + ")") ComponentFactory<SmmuBackendComponent> factory) {
        this.factory = factory;
        Map<String, Object> config = new HashMap<>(properties);
        config.keySet().removeIf(key -> key.startsWith("component.") || key.startsWith("service.")
                || key.equals(Constants.OBJECTCLASS));
        this.configuration = Map.copyOf(config);
    }

    /** An SMMU appeared: its own instance, bound to it by its service id. */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    synchronized void addSmmu(ServiceReference<Smmu> smmu) {
        if (!active) {
            return;
        }
        long id = (Long) smmu.getProperty(Constants.SERVICE_ID);
        Dictionary<String, Object> props = new Hashtable<>(configuration);
        props.put(SmmuBackendComponent.SMMU_REFERENCE + ".target", "(" + Constants.SERVICE_ID + "=" + id + ")");
        try {
            instances.put(id, factory.newInstance(props));
        } catch (ComponentException notDriven) {
            // the instance logged why (an SMMU outside the machine, a failed probe); the SMMU stays undriven
        }
    }

    /** An SMMU went away: its instance stops its driver. */
    synchronized void removeSmmu(ServiceReference<Smmu> smmu) {
        ComponentInstance<SmmuBackendComponent> instance = instances.remove((Long) smmu.getProperty(
                Constants.SERVICE_ID));
        if (instance != null) {
            instance.dispose();
        }
    }

    @Deactivate
    synchronized void deactivate() {
        active = false;
        instances.values().forEach(ComponentInstance::dispose);
        instances.clear();
    }
}
