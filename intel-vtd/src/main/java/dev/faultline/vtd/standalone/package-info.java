/**
 * The VT-d backend without a framework: {@link dev.faultline.vtd.standalone.StandaloneVtd} drives one simulated
 * VT-d remapping unit ({@code dev.faultline.platform.vtd.RemappingUnit}) over a core's
 * {@link dev.faultline.api.backend.FaultPipeline} (for instance {@code dev.faultline.core.standalone.StandaloneCore}),
 * with the production driver: programming or takeover, the interrupt thread, page request and fault record
 * handling, page group responses. For benchmarks, soak tests and programs that embed Faultline on a plain class
 * path.
 *
 * <p>Consumers import {@code [1.0,2.0)}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
@org.jspecify.annotations.NullMarked
package dev.faultline.vtd.standalone;
