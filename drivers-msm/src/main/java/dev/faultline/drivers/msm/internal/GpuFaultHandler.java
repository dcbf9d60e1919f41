package dev.faultline.drivers.msm.internal;

import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.FaultGroup;
import dev.faultline.api.handler.FaultHandler;

/**
 * The GPU's fault handler ({@code msm_gpu_fault_handler} / {@code adreno_fault_handler} on the single SPI):
 * lets the GPU print, snapshot and cool stall down, then answers {@code INVALID}, so a stalled access is
 * terminated (SMMUv3 CMD_RESUME abort) and the job's hang recovery takes over; Linux's return 0.
 */
public final class GpuFaultHandler implements FaultHandler {
    private final Gpu gpu;

    /** The handler of {@code gpu}'s faults. */
    public GpuFaultHandler(Gpu gpu) {
        this.gpu = gpu;
    }

    @Override
    public void handle(FaultGroup group) {
        int last = group.size() - 1;
        gpu.handleFault(group.pasid(), group.address(last), group.permissions(last), group.fetchAddressValid(),
                group.recoverable());
        group.respond(ResponseCode.INVALID);
    }
}
