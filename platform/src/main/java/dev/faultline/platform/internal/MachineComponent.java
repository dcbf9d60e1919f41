package dev.faultline.platform.internal;

import dev.faultline.platform.machine.DeviceNode;
import dev.faultline.platform.machine.Machine;
import java.util.Hashtable;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Boots the simulated {@link Machine} and registers it as a service. */
@Component(configurationPid = MachineComponent.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL, service = {})
@Designate(ocd = MachineComponent.Config.class)
public final class MachineComponent {
    /** The configuration PID. */
    public static final String PID = "dev.faultline.platform.machine";

    /** Machine settings. */
    @ObjectClassDefinition(name = "Faultline simulated machine")
    public @interface Config {
        /** The machine's name. */
        @AttributeDefinition(description = "machine name")
        String name() default "machine0";

        /** Start of the memory the OS allocates tables and queues from. */
        @AttributeDefinition(description = "start of OS-allocatable memory (bytes, 4 KiB aligned)")
        long os_memory_base() default 0x4000_0000L;

        /** Size of that memory. */
        @AttributeDefinition(description = "size of OS-allocatable memory (bytes)")
        long os_memory_size() default 0x1000_0000L;

        /** Firmware device description. */
        @AttributeDefinition(description = "devices: <device id>@<iommu>:<requester id>[:pri][:stall]")
        String[] devices() default {};
    }

    private ServiceRegistration<Machine> registration;

    @Activate
    void activate(BundleContext context, Config config) {
        Machine machine = Machine.create(config.name(), config.os_memory_base(), config.os_memory_size());
        for (String device : config.devices()) {
            machine.addDevice(DeviceNode.parse(device));
        }
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("machine.name", config.name());
        registration = context.registerService(Machine.class, machine, props);
    }

    @Deactivate
    void deactivate() {
        registration.unregister();
    }
}
