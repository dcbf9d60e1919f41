package dev.faultline.examples.deferred;

import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.DeferredGroup;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The work behind an answer that may block: paging in from disk, asking a user-space fault handler, waiting
 * for firmware. Runs on the {@link DeferredFaults} worker thread, never on the IOMMU's fault thread.
 */
@ConsumerType
@FunctionalInterface
public interface SlowPath {

    /**
     * Decides the answer of one group; may block, but should finish well before {@link DeferredGroup#deadlineNanos()}.
     * A throw is answered {@link ResponseCode#FAILURE}.
     */
    ResponseCode resolve(DeferredGroup group) throws Exception;
}
