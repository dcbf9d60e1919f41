/**
 * The VMM side of guest fault delivery: one virtual IOMMU per guest, fed by the core with the faults of the
 * guest's nested (guest-owned stage-1) domains.
 *
 * <ul>
 *   <li>{@link dev.faultline.viommu.VirtualIommus} ({@code @ProviderType}): the service that creates a guest's
 *       virtual IOMMU and registers it as the {@link dev.faultline.api.handler.FaultHandler} of its domains.</li>
 *   <li>{@link dev.faultline.viommu.VirtualIommu} ({@code @ProviderType}): one guest's virtual IOMMU: its virtual
 *       devices, their stage-1 contexts, the bounded event queue the guest reads, and the guest's page
 *       responses, validated.</li>
 *   <li>{@link dev.faultline.viommu.GuestLimits}, {@link dev.faultline.viommu.GuestStatistics},
 *       {@link dev.faultline.viommu.AnswerOutcome}: configuration, counters, and what became of an answer.</li>
 *   <li>{@link dev.faultline.viommu.GuestMemory} ({@code @ConsumerType}) and
 *       {@link dev.faultline.viommu.GuestMemoryWindow}: the guest's physical (IPA) space as the vIOMMU reads it.</li>
 *   <li>{@link dev.faultline.viommu.Stage1Context}: sealed; {@link dev.faultline.viommu.ArmStage1Context}
 *       (VMSAv8-64, 4 KiB granule) or {@link dev.faultline.viommu.FirstLevelContext} (VT-d first level).</li>
 *   <li>{@link dev.faultline.viommu.GuestEvent}: sealed; {@link dev.faultline.viommu.PageRequestEvent},
 *       {@link dev.faultline.viommu.UnrecoverableEvent} or {@link dev.faultline.viommu.LostEvents}.</li>
 *   <li>{@link dev.faultline.viommu.FaultReason}: sealed; the reason the vIOMMU derived by walking the guest's
 *       stage-1 table: {@link dev.faultline.viommu.ArmStage1Fault}, {@link dev.faultline.viommu.FirstLevelFault}
 *       or {@link dev.faultline.viommu.UnresolvedFault}.</li>
 *   <li>{@link dev.faultline.viommu.VirtioIommuFault}: the permission-only message in its standard form.</li>
 *   <li>{@link dev.faultline.viommu.VirtualSmmuV3} ({@code @ProviderType}, since 1.1): a virtual SMMUv3 the guest
 *       programs through its registers and memory (stream table, CDs, command and event queues), with
 *       {@link dev.faultline.viommu.StreamBinder} ({@code @ConsumerType}) making host devices follow the guest's
 *       {@link dev.faultline.viommu.VirtualSte}s, {@link dev.faultline.viommu.VirtualSmmuStatistics} its counters,
 *       and {@link dev.faultline.viommu.WritableGuestMemory} ({@code @ConsumerType}) the guest RAM it writes.</li>
 *   <li>{@link dev.faultline.viommu.VirtualVtd} ({@code @ProviderType}, since 1.2): a virtual VT-d remapping unit
 *       the guest programs (scalable-mode tables, invalidation and page request queues, fault recording
 *       registers), with {@link dev.faultline.viommu.PasidBinder} ({@code @ConsumerType}) making host devices follow
 *       the guest's {@link dev.faultline.viommu.VirtualPasidEntry}s, {@link dev.faultline.viommu.VirtualVtdOptions}
 *       how it is built and {@link dev.faultline.viommu.VirtualVtdStatistics} its counters.</li>
 * </ul>
 *
 * <p>Consumers import {@code [1.0,2.0)}; providers {@code [1.2,1.3)}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
@org.jspecify.annotations.NullMarked
package dev.faultline.viommu;
