package dev.faultline.drivers.remoteproc.internal;

import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.FaultGroup;
import dev.faultline.api.handler.FaultHandler;

/**
 * The remote processor's fault handler ({@code rproc_iommu_fault} on the single SPI): reports a crash of type
 * {@code mmufault} at the faulting device address and answers {@code INVALID}, so a stalled access is
 * terminated and the processor sees the abort. It neither retries nor waits; recovery runs on the processor's
 * recovery executor. Allocation-free for faults coalesced into a crash already being handled.
 */
public final class MmuFaultHandler implements FaultHandler {
    private final Rproc rproc;

    /** The handler of {@code rproc}'s domain. */
    public MmuFaultHandler(Rproc rproc) {
        this.rproc = rproc;
    }

    @Override
    public void handle(FaultGroup group) {
        int last = group.size() - 1;
        long da = group.addressValid() ? group.address(last) : 0;
        rproc.reportMmuFault(group.device(), da, group.permissions(last));
        group.respond(ResponseCode.INVALID);
    }
}
