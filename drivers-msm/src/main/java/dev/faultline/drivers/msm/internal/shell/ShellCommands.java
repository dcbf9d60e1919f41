package dev.faultline.drivers.msm.internal.shell;

import org.osgi.service.component.annotations.ComponentPropertyType;

/** The Gogo command properties ({@code osgi.command.scope}, {@code osgi.command.function}) of a component. */
@ComponentPropertyType
@interface ShellCommands {
    /** Prefix making member names {@code osgi.command.*} properties. */
    String PREFIX_ = "osgi.command.";

    /** The command scope. */
    String scope();

    /** The command names, one per public method name. */
    String[] function();
}
