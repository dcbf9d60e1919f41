/**
 * The demo scenario as a service, for the shell, the {@code demo} command and tests.
 *
 * <ul>
 *   <li>{@link dev.faultline.launcher.demo.DemoScenario} ({@code @ProviderType}): runs the scenario on the
 *       machine of the running framework.</li>
 *   <li>{@link dev.faultline.launcher.demo.DemoReport}, {@link dev.faultline.launcher.demo.StepResult}: what
 *       ran and what the core and the drivers observed.</li>
 * </ul>
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package dev.faultline.launcher.demo;
