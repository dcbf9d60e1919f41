/**
 * The demo scenario as a service, for the shell, the launcher's {@code demo} command, the console and tests.
 *
 * <ul>
 *   <li>{@link dev.faultline.demo.DemoScenario} ({@code @ProviderType}): runs the scenario on the machine of the
 *       running framework.</li>
 *   <li>{@link dev.faultline.demo.DemoReport}, {@link dev.faultline.demo.StepResult}: what ran and what the core
 *       and the drivers observed.</li>
 * </ul>
 *
 * <p>New in 1.1: the launcher bundle of 1.0 exported this API as {@code dev.faultline.launcher.demo}.
 */
@org.osgi.annotation.bundle.Export
@org.jspecify.annotations.NullMarked
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.faultline.demo;
