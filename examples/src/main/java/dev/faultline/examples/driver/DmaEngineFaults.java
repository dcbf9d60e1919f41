package dev.faultline.examples.driver;

import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.FaultGroup;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.handler.FaultHandlerTarget;
import java.util.concurrent.atomic.AtomicLong;
import org.osgi.service.component.annotations.Component;

/**
 * The fault handler of a DMA engine driver. The engine never maps memory on demand, so it answers its page
 * requests INVALID (the engine aborts the descriptor), and any fault, recoverable or not, means its descriptor
 * ring needs a reset.
 */
@Component
@FaultHandlerTarget(device = "0000:00:05.0")
public final class DmaEngineFaults implements FaultHandler {
    private final AtomicLong faults = new AtomicLong();
    private volatile long lastAddress;
    private volatile boolean resetNeeded;

    /** Called on the IOMMU's fault thread: answer at once, never block. */
    @Override
    public void handle(FaultGroup group) {
        faults.incrementAndGet();
        lastAddress = group.address(group.size() - 1);
        resetNeeded = true;
        if (group.recoverable()) {
            group.respond(ResponseCode.INVALID);
        }
    }

    /** Faults seen since the driver started. */
    public long faults() {
        return faults.get();
    }

    /** The address of the last fault, for the driver's error report. */
    public long lastAddress() {
        return lastAddress;
    }

    /** Whether the engine faulted since its last reset; clears the flag (the driver resets the ring). */
    public boolean takeReset() {
        boolean needed = resetNeeded;
        resetNeeded = false;
        return needed;
    }
}
