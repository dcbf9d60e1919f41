package dev.faultline.core.shell;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * Declares a component's Gogo commands next to its {@code @Component}: writes the service properties
 * {@code osgi.command.scope} and {@code osgi.command.function} the Gogo runtime looks for. Every Faultline bundle
 * declares its commands this way, in scope {@code faultline}:
 *
 * <pre>{@code
 * @Component(service = GpuCommands.class)
 * @ShellCommands(function = {"gpu", "gpucrashstate"})
 * public final class GpuCommands { ... }
 * }</pre>
 *
 * <p>Read at build time (class retention); nothing needs it at run time.
 */
@ComponentPropertyType
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface ShellCommands {
    /** Prefix making member names {@code osgi.command.*} properties. */
    String PREFIX_ = "osgi.command.";

    /** The command scope (default {@code faultline}). */
    String scope() default "faultline";

    /** The command names, each the name of a public method of the component. */
    String[] function();
}
