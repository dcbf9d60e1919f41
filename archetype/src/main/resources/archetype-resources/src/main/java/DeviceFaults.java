package ${package};

import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.FaultGroup;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.handler.FaultHandlerTarget;
import java.util.concurrent.atomic.AtomicLong;
import org.osgi.service.component.annotations.Component;

/**
 * The fault handler of device ${device}. The core calls {@link #handle} once per page request group or
 * unrecoverable fault of the device, on the IOMMU's fault thread. This one maps nothing on demand, so it answers
 * every page request group INVALID (the device aborts the access) and counts what it saw; replace the body with
 * what your driver does.
 */
@Component
@FaultHandlerTarget(device = "${device}")
public final class DeviceFaults implements FaultHandler {
    private final AtomicLong pageRequestGroups = new AtomicLong();
    private final AtomicLong unrecoverable = new AtomicLong();

    /** Answers at once and never blocks: a recoverable group exactly once, an unrecoverable fault never. */
    @Override
    public void handle(FaultGroup group) {
        if (group.recoverable()) {
            pageRequestGroups.incrementAndGet();
            group.respond(ResponseCode.INVALID);
        } else {
            unrecoverable.incrementAndGet();
        }
    }

    /** Page request groups answered since the handler started. */
    public long pageRequestGroups() {
        return pageRequestGroups.get();
    }

    /** Unrecoverable faults seen since the handler started. */
    public long unrecoverable() {
        return unrecoverable.get();
    }
}
