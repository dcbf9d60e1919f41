/**
 * The SMMUv3 backend without a framework: {@link dev.faultline.smmuv3.standalone.StandaloneSmmu} drives one
 * simulated SMMUv3 ({@code dev.faultline.platform.smmuv3.Smmu}) over a core's
 * {@link dev.faultline.api.backend.FaultPipeline} (for instance {@code dev.faultline.core.standalone.StandaloneCore}),
 * with the production driver: bring-up or takeover, the fault thread, STE and CD programming, responses. For
 * benchmarks, soak tests and programs that embed Faultline on a plain class path.
 *
 * <p>Consumers import {@code [1.0,2.0)}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
@org.jspecify.annotations.NullMarked
package dev.faultline.smmuv3.standalone;
