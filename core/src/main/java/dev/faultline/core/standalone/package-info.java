/**
 * The core outside an OSGi framework, for tools, tests and benchmarks that run on a plain class path:
 * {@link dev.faultline.core.standalone.StandaloneCore}, with its own threads, and
 * {@link dev.faultline.core.standalone.SteppedCore} (1.1), driven by its caller's clock and scheduler for
 * deterministic simulations. In a framework, use the {@code FaultPipeline} and {@code FaultStatistics} services
 * and register handlers as services instead.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
@org.jspecify.annotations.NullMarked
package dev.faultline.core.standalone;
