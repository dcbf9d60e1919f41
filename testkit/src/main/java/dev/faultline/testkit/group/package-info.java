/**
 * Unit tests of a {@link dev.faultline.api.handler.FaultHandler} without a core:
 * {@link dev.faultline.testkit.group.RecordingFaultGroup} is the group the core would hand over, recording what
 * the handler answers and when.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
@org.jspecify.annotations.NullMarked
package dev.faultline.testkit.group;
