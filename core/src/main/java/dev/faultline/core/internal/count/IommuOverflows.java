package dev.faultline.core.internal.count;

import dev.faultline.api.backend.FaultQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The hardware queue overflows the backends of one IOMMU (by name) reported: kept by the core across backend
 * swaps, so the IOMMU's losses add up over its backends.
 */
public final class IommuOverflows {
    private final AtomicLong faultRecords = new AtomicLong();
    private final AtomicLong pageRequests = new AtomicLong();

    public void count(FaultQueue queue) {
        (queue == FaultQueue.PAGE_REQUESTS ? pageRequests : faultRecords).getAndIncrement();
    }

    public long faultRecords() {
        return faultRecords.get();
    }

    public long pageRequests() {
        return pageRequests.get();
    }
}
