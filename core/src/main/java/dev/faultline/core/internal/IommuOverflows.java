package dev.faultline.core.internal;

import dev.faultline.api.backend.FaultQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The hardware queue overflows the backends of one IOMMU (by name) reported: kept by the core across backend
 * swaps, so the IOMMU's losses add up over its backends.
 */
final class IommuOverflows {
    private final AtomicLong faultRecords = new AtomicLong();
    private final AtomicLong pageRequests = new AtomicLong();

    void count(FaultQueue queue) {
        (queue == FaultQueue.PAGE_REQUESTS ? pageRequests : faultRecords).getAndIncrement();
    }

    long faultRecords() {
        return faultRecords.get();
    }

    long pageRequests() {
        return pageRequests.get();
    }
}
