/**
 * The IOMMU-neutral DMA contract between devices and an IOMMU model (SMMUv3, VT-d) of the simulated machine.
 *
 * <ul>
 *   <li>{@link dev.faultline.platform.dma.DmaAccess}, {@link dev.faultline.platform.dma.AccessType}: one upstream
 *       access (requester id / StreamID, PASID or none, address, read / write / instruction fetch,
 *       privileged, size, ATS translation request).</li>
 *   <li>{@link dev.faultline.platform.dma.TranslationPort} ({@code @ProviderType}): an IOMMU's upstream port;
 *       {@link dev.faultline.platform.dma.DmaTransaction} is one access in flight there, completed
 *       asynchronously as {@link dev.faultline.platform.dma.TranslationOutcome translated, aborted, RAZ/WI,
 *       no translation}, or held stalled.</li>
 *   <li>{@link dev.faultline.platform.dma.PageRequestMessage}, {@link dev.faultline.platform.dma.PrgResponseMessage},
 *       {@link dev.faultline.platform.dma.PrgResponseCode}, {@link dev.faultline.platform.dma.PrgResponseReceiver}
 *       ({@code @ConsumerType}), {@link dev.faultline.platform.dma.PriCapability}: PCIe PRI.</li>
 *   <li>{@link dev.faultline.platform.dma.DmaDevice}: a device that performs accesses to the end, through
 *       stalls and page requests; {@link dev.faultline.platform.dma.DmaResult} and
 *       {@link dev.faultline.platform.dma.DmaStatus} say how each ended.</li>
 *   <li>{@link dev.faultline.platform.dma.DmaWorkload}: seeded, deterministic access streams.</li>
 * </ul>
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
@org.jspecify.annotations.NullMarked
package dev.faultline.platform.dma;
