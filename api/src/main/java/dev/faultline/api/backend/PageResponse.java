package dev.faultline.api.backend;

import dev.faultline.api.fault.ResponseCode;
import org.osgi.annotation.versioning.ProviderType;

/**
 * One page request group's answer, read in place (no allocation): Linux's {@code struct iommu_page_response}
 * plus the last request's private data, from which the backend builds its response command.
 * Valid only during {@link IommuBackend#sendPageResponse}.
 *
 * @since 1.0
 */
@ProviderType
public interface PageResponse {

    /** The answer. */
    ResponseCode code();

    /** The group id of the last request (PRI PRGI, SMMUv3 STAG). */
    int groupId();

    /** The last request's PASID, or {@link dev.faultline.api.fault.Pasid#NONE}. */
    int pasid();

    /** Whether the last request carried a PASID. */
    boolean hasPasid();

    /** Whether the response must carry the PASID. */
    boolean needsPasid();

    /** The last request's first private data word. */
    long privateData0();

    /** The last request's second private data word. */
    long privateData1();
}
