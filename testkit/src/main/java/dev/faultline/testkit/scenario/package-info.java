/**
 * Faults through a real core: {@link dev.faultline.testkit.scenario.Scenario} connects an IOMMU with the devices
 * and attachments a test names, reports page requests and unrecoverable faults as a backend does, and gives the
 * core's outcomes, page responses and counters, on a plain class path ({@code StandaloneCore}) or in a framework.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
@org.jspecify.annotations.NullMarked
package dev.faultline.testkit.scenario;
