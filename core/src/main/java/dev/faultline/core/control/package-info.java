/**
 * Controls of the running core for management tools (shell, Web Console, JMX):
 * {@link dev.faultline.core.control.HandlerControl}, registered as a service by the core, releases quarantined
 * handlers by hand.
 *
 * <p>Consumers import {@code [1.0,2.0)}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
@org.jspecify.annotations.NullMarked
package dev.faultline.core.control;
