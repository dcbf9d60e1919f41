/**
 * The backend SPI: how an IOMMU driver bundle announces its IOMMU and devices, reports faults into the
 * core, and receives the responses it must send to the hardware.
 *
 * <ul>
 *   <li>{@link dev.faultline.api.backend.FaultPipeline} ({@code @ProviderType}): the core's service;
 *       a backend {@link dev.faultline.api.backend.FaultPipeline#connect connects} once per IOMMU.</li>
 *   <li>{@link dev.faultline.api.backend.IommuBackend} ({@code @ConsumerType}): what the backend implements:
 *       it sends page responses to its hardware.</li>
 *   <li>{@link dev.faultline.api.backend.IommuPort}, {@link dev.faultline.api.backend.DevicePort}
 *       ({@code @ProviderType}): the core's handles for one IOMMU and one device.</li>
 *   <li>{@link dev.faultline.api.backend.PageResponse} ({@code @ProviderType}): one response, read in place.</li>
 *   <li>{@link dev.faultline.api.backend.Domain}, {@link dev.faultline.api.backend.DomainType},
 *       {@link dev.faultline.api.backend.ReportOutcome}, {@link dev.faultline.api.backend.FaultQueue}: values.</li>
 * </ul>
 *
 * <p>Backends import {@code [1.2,2.0)} for the consumer side ({@code [1.0,2.0)} without
 * {@link dev.faultline.api.backend.IommuPort#reportOverflow}); the core imports {@code [1.2,1.3)}.
 */
@org.osgi.annotation.bundle.Export
@org.jspecify.annotations.NullMarked
@org.osgi.annotation.versioning.Version("1.2.0")
package dev.faultline.api.backend;
