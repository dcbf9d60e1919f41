package dev.faultline.shell.internal.shell;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * Declares a component's Gogo commands next to its methods: writes {@code osgi.command.scope} and
 * {@code osgi.command.function}.
 */
@ComponentPropertyType
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface ShellCommand {
    /** Prefix making member names {@code osgi.command.*} properties. */
    String PREFIX_ = "osgi.command.";

    /** The command scope. */
    String scope() default "faultline";

    /** The public methods offered as commands. */
    String[] function();
}
