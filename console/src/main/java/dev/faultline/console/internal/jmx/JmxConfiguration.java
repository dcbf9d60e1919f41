package dev.faultline.console.internal.jmx;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The configuration of the Faultline MBeans (PID {@value JmxExporter#PID}). */
@ObjectClassDefinition(name = "Faultline JMX", description = "MBeans of the core's statistics, devices, handlers and guests")
public @interface JmxConfiguration {

    /** Whether the MBeans are registered. */
    @AttributeDefinition(description = "Register the dev.faultline MBeans in the platform MBean server")
    boolean enabled() default true;

    /** How often the set of device, handler and guest MBeans follows the core. */
    @AttributeDefinition(description = "Milliseconds between updates of the set of device, handler and guest MBeans",
            min = "100")
    long refresh_ms() default 1000;
}
