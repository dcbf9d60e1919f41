package dev.faultline.api.handler;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * Declarative Services property type for a {@link FaultHandler} component: writes the
 * {@link HandlerProperties} of the registration.
 *
 * <pre>{@code @Component @FaultHandlerTarget(device = "0000:00:03.0", timeout_ms = 50)}</pre>
 */
@ComponentPropertyType
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface FaultHandlerTarget {
    /** Prefix making member names {@code faultline.*} properties. */
    String PREFIX_ = "faultline.";

    /** {@link HandlerProperties#DOMAIN}. */
    String[] domain() default {};

    /** {@link HandlerProperties#DEVICE}. */
    String[] device() default {};

    /** {@link HandlerProperties#PASID}. */
    int[] pasid() default {};

    /** {@link HandlerProperties#TIMEOUT_MS}; 0 means the core's default. */
    long timeout_ms() default 0;

    /** {@link HandlerProperties#DISPATCH}. */
    String dispatch() default HandlerProperties.DISPATCH_INLINE;
}
