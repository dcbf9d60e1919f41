package dev.faultline.api.handler;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Fault;
import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The faults a handler is asked to handle: one page request group (the last-page request last) or one
 * unrecoverable fault. It answers for itself, exactly once.
 *
 * <p><b>No allocation.</b> The core reuses group objects: the accessors read the faults in place, and a
 * handler that answers inside {@link FaultHandler#handle} costs nothing per fault. Only {@link #fault(int)},
 * {@link #faults()} and {@link #defer()} allocate; {@link #deferToken()} keeps the group without allocating. The
 * object is valid only during {@link FaultHandler#handle} and on the thread that called it: from any other thread
 * every method throws {@link IllegalStateException}, and after the call an answer is refused (the core reuses the
 * object for later faults). To keep a group or answer it elsewhere, {@link #defer()} it (or {@link #deferToken()}).
 *
 * <p><b>Exactly once.</b> The first {@link #respond} is sent to the hardware (for a recoverable group) and
 * returns {@code true}; any later answer returns {@code false} and is counted as a duplicate. The core answers on
 * the handler's behalf when it throws ({@code FAILURE}), returns without answering or deferring ({@code INVALID}),
 * or is still running at the group's deadline (the core's {@code timeout.response}, {@code INVALID} by default);
 * an answer after that is refused and counted. See {@link FaultHandler} for deadlines and the lifecycle.
 *
 * @since 1.0
 */
@ProviderType
public interface FaultGroup {

    /** The device that faulted. */
    DeviceId device();

    /** {@code true} for a page request group the device waits on; {@code false} for an unrecoverable fault. */
    boolean recoverable();

    /** The number of faults: one or more requests for a group, exactly one for an unrecoverable fault. */
    int size();

    /** The PASID of the last fault, or {@link dev.faultline.api.fault.Pasid#NONE}. */
    int pasid();

    /** Whether the last fault carries a PASID. */
    boolean hasPasid();

    /** The page request group id; -1 for an unrecoverable fault. */
    int groupId();

    /** The address of fault {@code index} (0 to {@link #size()} - 1; the last one last). */
    long address(int index);

    /** The permissions fault {@code index} asked for. */
    Permissions permissions(int index);

    /** For an unrecoverable fault: whether {@link #address(int)} is meaningful. Always {@code true} for page requests. */
    boolean addressValid();

    /** For an unrecoverable fault whose table fetch aborted: the fetch address; otherwise 0. */
    long fetchAddress();

    /** Whether {@link #fetchAddress()} is meaningful. */
    boolean fetchAddressValid();

    /** The raw hardware record of the last fault, or {@link HardwareRecord#NONE}. */
    HardwareRecord hardwareRecord();

    /**
     * {@link System#nanoTime()} when the core received the last fault: exact when the core is configured with
     * {@code timestamps.precise}; otherwise read from the core's millisecond clock, so at most about a millisecond
     * earlier than the true time (a clock read per fault costs more than the rest of an inline dispatch).
     */
    long reportedNanos();

    /** An immutable copy of fault {@code index} (allocates). */
    Fault fault(int index);

    /** Immutable copies of all faults, the last one last (allocates). */
    List<Fault> faults();

    /**
     * Answers the group. For a recoverable group the backend sends {@code code} to the hardware
     * (SUCCESS: retry; INVALID: fail the access; FAILURE: on PCIe, stop page requests from the device until it is
     * reset).
     *
     * @return {@code true} if this was the group's answer; {@code false} if it had been answered already
     *     (the duplicate is counted and dropped)
     */
    boolean respond(ResponseCode code);

    /** Whether the group has been answered. */
    boolean answered();

    /**
     * Keeps the group past the end of {@link FaultHandler#handle}, to be answered later from any thread.
     * Copies the faults. Calling it twice returns the same handle.
     *
     * @return the handle to answer
     * @throws IllegalStateException if the group is already answered
     */
    DeferredGroup defer();

    /**
     * Keeps the group past the end of {@link FaultHandler#handle} like {@link #defer()}, named by a token instead of
     * an object: answered and read through {@link #tokens()}, from any thread. In steady state it allocates nothing.
     * Calling it twice, or after {@link #defer()}, names the same deferral (a {@code defer()} after it returns the
     * handle of that deferral).
     *
     * @return the token, never negative
     * @throws IllegalStateException if the group is already answered
     * @since 1.3
     */
    long deferToken();

    /**
     * Where the tokens of {@link #deferToken()} are answered and read: the same object for every group handed to
     * this handler, so a handler may keep it from its first group on.
     *
     * @since 1.3
     */
    DeferredTokens tokens();
}
