package dev.faultline.api.handler;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Fault;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A group a handler {@link FaultGroup#defer() deferred}: the group's faults plus the right to answer,
 * once, from any thread. Thread-safe.
 *
 * <p>If it is not answered by {@link #deadlineNanos()}, the core answers it and counts a timeout; so does
 * the departure of the device or the backend at once, and the departure of the handler when its clean-up window
 * ends (until then its answers and {@link #handBack()} are accepted). A later {@link #respond} returns
 * {@code false}.
 *
 * @since 1.0
 */
@ProviderType
public interface DeferredGroup {

    /** The device that faulted. */
    DeviceId device();

    /** Whether the device waits on an answer. */
    boolean recoverable();

    /** The page request group id; -1 for an unrecoverable fault. */
    int groupId();

    /**
     * The faults, the last one last.
     *
     * @throws IllegalStateException once the handler answered the group itself and the core has reused the memory
     *     that held its faults (the device, group id and deadline stay readable; a group the core answered on the
     *     handler's behalf keeps its faults)
     */
    List<Fault> faults();

    /**
     * The number of faults, read in place (no list is made).
     *
     * @throws IllegalStateException as {@link #faults()} does
     * @since 1.2
     */
    default int size() {
        return faults().size();
    }

    /**
     * The address of fault {@code index} (0 to {@link #size()} - 1; the last one last), read in place: a handler that
     * answers from another thread reads what it needs without allocating.
     *
     * @throws IllegalStateException as {@link #faults()} does
     * @throws IndexOutOfBoundsException for an index outside the group
     * @since 1.2
     */
    default long address(int index) {
        return faults().get(index).address();
    }

    /**
     * The permissions fault {@code index} asked for, read in place.
     *
     * @throws IllegalStateException as {@link #faults()} does
     * @throws IndexOutOfBoundsException for an index outside the group
     * @since 1.2
     */
    default Permissions permissions(int index) {
        return faults().get(index).permissions();
    }

    /**
     * The {@link System#nanoTime()} after which the core answers on the handler's behalf (decades ahead for a
     * handler registered with {@link HandlerProperties#NO_DEADLINE}).
     */
    long deadlineNanos();

    /**
     * Answers the group.
     *
     * @return {@code true} if this was the answer sent; {@code false} if the group was already answered
     *     (by the handler, a timeout or a departure); the duplicate is counted and dropped
     */
    boolean respond(ResponseCode code);

    /** Whether the group has been answered, by anyone (or handed back). */
    boolean answered();

    /**
     * Gives the group back to the core unanswered, for the handler that serves its device and PASID now: a
     * departing handler's clean-up hands back what it will not answer, and its replacement gets it (if none serves
     * the target yet, it waits for one within the core's hand-over window like a new fault; if none comes, the
     * core answers it {@code INVALID}). The deadline stays the group's own. Afterwards this handle is spent:
     * {@link #answered()} is {@code true} and {@link #respond} returns {@code false}.
     *
     * @return {@code true} if the core took the group back; {@code false} if it was already answered or handed back
     * @since 1.1
     */
    boolean handBack();
}
