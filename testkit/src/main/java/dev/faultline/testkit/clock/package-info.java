/**
 * {@link dev.faultline.testkit.clock.ManualClock}: time that moves only when the test says, for code that takes a
 * nanosecond ticker.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
@org.jspecify.annotations.NullMarked
package dev.faultline.testkit.clock;
