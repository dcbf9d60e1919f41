/**
 * The distribution's console, for bundles that print on it while a command runs (the demo, {@code faultline:load}).
 *
 * <ul>
 *   <li>{@link dev.faultline.shell.console.StatusLine}: a status line kept at the bottom of a terminal and
 *       rewritten in place, with log lines printed above it.</li>
 *   <li>{@link dev.faultline.shell.console.ExpectedLog}: the windows in which a bundle's log lines are caused on
 *       purpose (a demo step making a driver report its fault); the console labels those lines.</li>
 * </ul>
 *
 * <p>Both are registered as services by this bundle; users take them with {@code @Reference}.
 */
@org.osgi.annotation.bundle.Export
@org.jspecify.annotations.NullMarked
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.faultline.shell.console;
