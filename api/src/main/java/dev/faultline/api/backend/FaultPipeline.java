package dev.faultline.api.backend;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The core's fault pipeline, registered as an OSGi service. A backend bundle connects each IOMMU it drives
 * and reports that IOMMU's faults through the returned {@link IommuPort}.
 *
 * <p>Thread-safe.
 *
 * @since 1.0
 */
@ProviderType
public interface FaultPipeline {

    /**
     * Connects an IOMMU. Responses for its devices' groups go to {@code backend}, exactly once per group,
     * until the port is {@link IommuPort#close() closed}.
     *
     * @throws IllegalStateException if an IOMMU of the same {@link IommuBackend#name() name} is connected
     */
    IommuPort connect(IommuBackend backend);
}
