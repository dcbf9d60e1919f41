package dev.faultline.demo.internal;

import dev.faultline.demo.DemoReport;
import dev.faultline.viommu.GuestStatistics;

/** What the guests of one run received, from their virtual IOMMUs' counters, and what the host printed of it. */
final class GuestCounts {
    private int guests;
    private long forwarded;
    private long read;
    private long answered;
    private long hostPrints;

    /** A guest's counters, taken when it is done. */
    synchronized void add(GuestStatistics guest) {
        guests++;
        forwarded += guest.routed();
        read += guest.delivered() - guest.queued();
        answered += guest.accepted();
    }

    /** Host log lines naming a guest's device. */
    synchronized void addHostPrints(long lines) {
        hostPrints += lines;
    }

    synchronized DemoReport.GuestFaults summary() {
        return new DemoReport.GuestFaults(guests, forwarded, read, answered, hostPrints);
    }
}
