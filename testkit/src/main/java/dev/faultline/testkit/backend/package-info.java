/**
 * Doubles at the IOMMU side of the core: {@link dev.faultline.testkit.backend.RecordingBackend} is a backend that
 * records the page responses a real core sends.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
@org.jspecify.annotations.NullMarked
package dev.faultline.testkit.backend;
