package dev.faultline.vtd.internal;

import dev.faultline.api.backend.PageResponse;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.PciRequesterId;
import dev.faultline.platform.vtd.PageGroupResponse;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Page group responses (VT-d spec 6.5.2.8, Linux {@code intel_iommu_page_response}): the core's answers, checked
 * (a device not behind the unit, a group index or PASID out of range is refused and counted), and the driver's own
 * answers to requests it rejects, followed by an invalidation wait (Linux {@code qi_submit_sync}): one wait for all
 * the responses the interrupt thread writes while it handles a drained batch of page requests, one per response
 * from any other thread ({@link InvalidationQueue#submitResponse}). The response code is the PCIe one: SUCCESS 0x0,
 * INVALID 0x1, FAILURE 0xF ({@code QI_RESP_*}). Allocates nothing.
 */
final class PageResponses implements PageRequestReader.Responder {
    private final String unitName;
    private final int segment;
    private final InvalidationQueue queue;
    private final DmarLog log;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();

    PageResponses(String unitName, int segment, InvalidationQueue queue, DmarLog log) {
        this.unitName = unitName;
        this.segment = segment;
        this.queue = queue;
        this.log = log;
    }

    /** The core's answer for a group of {@code device}: checked, then written; a bad one is refused and counted. */
    void send(DeviceId device, PageResponse response) {
        try {
            if (!(device instanceof PciRequesterId pci) || pci.segment() != segment) {
                refuse("a device not behind this unit: " + device);
                return;
            }
            int groupIndex = response.groupId();
            boolean pasidPresent = response.hasPasid();
            if ((groupIndex & ~0x1ff) != 0 || (pasidPresent && !Pasid.isValid(response.pasid()))) {
                refuse("group index 0x" + Integer.toHexString(groupIndex) + " or PASID "
                        + Pasid.format(response.pasid()) + " out of range for " + device);
                return;
            }
            // QI_RESP_*: the PCIe codes. Linux writes the generic code raw, sending FAILURE as the reserved 2.
            int code = switch (response.code()) {
                case SUCCESS -> PageGroupResponse.SUCCESS;
                case INVALID -> PageGroupResponse.INVALID;
                case FAILURE -> PageGroupResponse.FAILURE;
            };
            respond(pci.rid(), pasidPresent, pasidPresent ? response.pasid() : 0, code, groupIndex,
                    response.privateData0(), response.privateData1());
        } catch (RuntimeException e) {
            lost.incrementAndGet();
            log.problem("DMAR: " + unitName + ": page response to " + device + " lost: " + e);
        }
    }

    /** Writes one page group response (VT-d invalidation descriptors), private data in qw2/qw3. */
    @Override
    public void respond(int rid, boolean pasidPresent, int pasid, int code, int groupIndex, long data0,
            long data1) {
        long qw0 = 0x9 | (pasidPresent ? 1L << 4 : 0) | (long) code << 12 | (long) rid << 16 | (long) pasid << 32;
        long qw1 = 1L << 2 | (long) groupIndex << 3;
        if (queue.submitResponse(qw0, qw1, data0, data1)) {
            sent.incrementAndGet();
        } else {
            lost.incrementAndGet();
        }
    }

    @Override
    public void openBatch() {
        queue.openBatch();
    }

    @Override
    public void closeBatch() {
        queue.closeBatch();
    }

    private void refuse(String why) {
        refused.incrementAndGet();
        log.problem("DMAR: " + unitName + ": page response refused: " + why);
    }

    long sent() {
        return sent.get();
    }

    long lost() {
        return lost.get();
    }

    long refused() {
        return refused.get();
    }
}
