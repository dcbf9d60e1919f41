/**
 * The SMMUv3 backend's service for users: attach devices and PASIDs behind an SMMU to domains.
 *
 * <ul>
 *   <li>{@link dev.faultline.smmuv3.SmmuDomains} ({@code @ProviderType}): one service per SMMU; attachments and
 *       the stall-on-fault switch (1.1); {@code NAME_PROPERTY} (1.2).</li>
 *   <li>{@link dev.faultline.smmuv3.Stage1Tables}, {@link dev.faultline.smmuv3.Stage2Tables},
 *       {@link dev.faultline.smmuv3.GuestStage1}: what an attachment programs.</li>
 * </ul>
 *
 * <p>Consumers import {@code [1.0,2.0)} ({@code [1.1,2.0)} to use the stall switch).
 */
@org.osgi.annotation.bundle.Export
@org.jspecify.annotations.NullMarked
@org.osgi.annotation.versioning.Version("1.2.0")
package dev.faultline.smmuv3;
