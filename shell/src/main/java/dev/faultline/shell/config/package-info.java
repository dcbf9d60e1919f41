/**
 * Configuration written through Config Admin, for bundles that configure components and then use them.
 *
 * <ul>
 *   <li>{@link dev.faultline.shell.config.ConfigurationSettled}: waits, by observing Config Admin and
 *       Declarative Services rather than by timing, until every configuration written so far has been applied,
 *       so that a component found afterwards is not replaced by a late configuration.</li>
 * </ul>
 */
@org.osgi.annotation.bundle.Export
@org.jspecify.annotations.NullMarked
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.faultline.shell.config;
