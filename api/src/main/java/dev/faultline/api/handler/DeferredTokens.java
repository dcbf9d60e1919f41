package dev.faultline.api.handler;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Deferred groups named by a primitive token ({@link FaultGroup#deferToken()}): the same right to answer once, from
 * any thread, as a {@link DeferredGroup}, without an object per group. A handler that defers every group and
 * answers from its own worker keeps tokens in its own preallocated arrays or ring, and nothing is allocated per
 * fault. Obtained once from any group ({@link FaultGroup#tokens()}); it is the same for every group of the handler.
 *
 * <p>A token names a held slot of the core and the generation of the slot when the group was deferred. Every call
 * checks that generation: once the group is answered (by the handler, its deadline, a departure or a change of
 * owner) or handed back, the token answers nothing and reads nothing, even after the slot went on to hold another
 * group, and an answer through it is refused and counted on the handler (a duplicate, or a stale answer after a
 * change of owner). A generation repeats only after 2<sup>40</sup> groups passed through one slot.
 *
 * <p>Unlike a {@link DeferredGroup}, a token keeps no copy of the faults for a group the core answered on the
 * handler's behalf: read what the answer needs before answering. Thread-safe.
 *
 * @since 1.3
 */
@ProviderType
public interface DeferredTokens {

    /**
     * Answers the group of {@code token}.
     *
     * @return {@code true} if this was the answer sent; {@code false} if the group was already answered or handed
     *     back, or the token names no group the core holds (the refusal is counted on the handler)
     * @throws IllegalArgumentException for a negative token (no deferral ever returns one)
     */
    boolean respond(long token, ResponseCode code);

    /** Whether the group of {@code token} has been answered, by anyone, or handed back (or the token is unknown). */
    boolean answered(long token);

    /**
     * Gives the group of {@code token} back to the core unanswered, as {@link DeferredGroup#handBack()} does.
     *
     * @return {@code true} if the core took it back; {@code false} if it was already answered or handed back
     */
    boolean handBack(long token);

    /**
     * The number of faults of the pending group, read in place.
     *
     * @throws IllegalStateException once the group is answered or handed back
     */
    int size(long token);

    /**
     * The address of fault {@code index} (0 to {@link #size} - 1, the last one last) of the pending group.
     *
     * @throws IllegalStateException once the group is answered or handed back
     * @throws IndexOutOfBoundsException for an index outside the group
     */
    long address(long token, int index);

    /**
     * The permissions fault {@code index} of the pending group asked for.
     *
     * @throws IllegalStateException once the group is answered or handed back
     * @throws IndexOutOfBoundsException for an index outside the group
     */
    Permissions permissions(long token, int index);

    /**
     * The device of the pending group.
     *
     * @throws IllegalStateException once the group is answered or handed back
     */
    DeviceId device(long token);

    /**
     * The page request group id of the pending group; -1 for an unrecoverable fault.
     *
     * @throws IllegalStateException once the group is answered or handed back
     */
    int groupId(long token);

    /**
     * The {@link System#nanoTime()} after which the core answers the pending group on the handler's behalf.
     *
     * @throws IllegalStateException once the group is answered or handed back
     */
    long deadlineNanos(long token);
}
