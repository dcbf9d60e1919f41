/**
 * The msm (Adreno GPU) driver: per-context address spaces, jobs, stall-on-fault with a cooldown, a snapshot
 * per faulting job, and hang recovery of the faulting context only.
 *
 * <ul>
 *   <li>{@link dev.faultline.drivers.msm.AdrenoGpu} ({@code @ProviderType}): the GPU as a service.</li>
 *   <li>{@link dev.faultline.drivers.msm.AdrenoSmmu} ({@code @ConsumerType}): the SMMU's stall switch for the
 *       GPU ({@code adreno_smmu_priv}); built in over the SMMUv3 backend, registered by other SMMU backends.</li>
 *   <li>{@link dev.faultline.drivers.msm.GpuStatus}, {@link dev.faultline.drivers.msm.ContextStatus},
 *       {@link dev.faultline.drivers.msm.GpuSnapshot}, {@link dev.faultline.drivers.msm.GpuMapping},
 *       {@link dev.faultline.drivers.msm.JobState}: what it observed.</li>
 *   <li>{@link dev.faultline.drivers.msm.GpuCommand}, {@link dev.faultline.drivers.msm.GpuBlock},
 *       {@link dev.faultline.drivers.msm.FaultType}: jobs, the blocks that access memory, fault types.</li>
 * </ul>
 *
 * <p>Consumers import {@code [1.0,2.0)}; SMMU backends implementing {@code AdrenoSmmu} import {@code [1.0,1.1)}.
 */
@org.osgi.annotation.bundle.Export
@org.jspecify.annotations.NullMarked
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.faultline.drivers.msm;
