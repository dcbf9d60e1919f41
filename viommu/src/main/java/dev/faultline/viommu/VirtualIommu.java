package dev.faultline.viommu;

import dev.faultline.api.fault.DeviceId;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.osgi.annotation.versioning.ProviderType;

/**
 * One guest's virtual IOMMU, as its VMM drives it: the guest's virtual devices and their stage-1 contexts, the
 * bounded queue of fault events the guest reads, and the guest's answers to page request groups.
 *
 * <p><b>Delivery.</b> The core routes every fault of the guest's nested domains here and never prints them.
 * A page request group is deferred and queued with a guest-scoped 32-bit cookie (from 1, like iommufd); an
 * unrecoverable fault is queued with its virtual hardware record and the reason derived by walking the guest's
 * stage-1 table. A fault over the guest's rate, or finding the queue at its depth or too many groups unanswered,
 * is not queued: it is counted, a {@link LostEvents} marker counts it where it would have been, and a page
 * request group is answered INVALID at once, so nothing waits on a guest that cannot take more.
 *
 * <p><b>Answers.</b> Only this guest can answer its groups, only groups it has read, only once, and only with
 * SUCCESS (0) or INVALID (1); anything else is rejected and counted ({@link AnswerOutcome}).
 *
 * <p><b>Departure.</b> {@link #removeDevice} answers INVALID every group of that device the guest holds;
 * {@link #close()} answers INVALID every group the guest holds and stops the guest's fault handler.
 *
 * <p><b>Isolation.</b> Each guest has its own lock, queue, cookie table and rate limiter; nothing on the
 * delivery path is shared between guests.
 *
 * <p>Thread-safe. No method blocks beyond the guest's own short critical sections, except the waiting
 * {@link #poll(int, long, TimeUnit)}.
 *
 * @since 1.0
 */
@ProviderType
public interface VirtualIommu extends AutoCloseable {

    /** The guest's name (the {@code guest} of its nested domains). */
    String name();

    /** The nested domains whose faults this guest receives. */
    Set<String> domains();

    /** The bounds this guest works within. */
    GuestLimits limits();

    /**
     * Gives a host device a virtual id in this guest ({@code IOMMU_VDEVICE_ALLOC}): the virtual stream id of a
     * virtual SMMUv3, or the virtual requester id (16 bits) of a virtual VT-d unit.
     *
     * @throws IllegalArgumentException if the device or the virtual id is already in use in this guest
     * @throws IllegalStateException if the guest is closed
     */
    void addDevice(DeviceId physical, int virtualId);

    /**
     * Detaches a device from the guest: answers INVALID every page request group of it the guest holds (read
     * or not), forgets its virtual id and stage-1 contexts. Events already queued stay, and answers to them
     * are rejected as {@link AnswerOutcome#LATE}. Unknown devices are ignored.
     *
     * @return how many groups were answered
     */
    int removeDevice(DeviceId physical);

    /**
     * Sets the stage-1 configuration the guest made for a virtual device and PASID ({@link
     * dev.faultline.api.fault.Pasid#NONE} for transactions without PASID), replacing any earlier one.
     *
     * @throws IllegalArgumentException if the virtual device is unknown, or a VT-d context is given for a
     *     virtual id wider than 16 bits
     */
    void setStage1(int virtualId, int pasid, Stage1Context context);

    /** Removes the stage-1 configuration of a virtual device and PASID, if any. */
    void clearStage1(int virtualId, int pasid);

    /**
     * Takes up to {@code max} events from the head of the queue, oldest first. Page request groups taken
     * become answerable.
     *
     * @throws IllegalArgumentException if {@code max} is not positive
     */
    List<GuestEvent> poll(int max);

    /**
     * Waits until the queue holds an entry, the guest closes, or the timeout passes, then takes up to {@code max}
     * entries as {@link #poll(int)} does: a VMM's way to wait for its guest's events without a timer. The
     * waiter is woken by the {@code handle} call that queues an event or a {@link LostEvents} marker, as that
     * call releases the guest's lock, so its wake-up is bounded by the fault path's own critical section.
     *
     * @return the entries taken; empty if none came in time or the guest closed
     * @throws IllegalArgumentException if {@code max} is not positive or the timeout is negative
     * @throws InterruptedException if the waiting thread is interrupted
     */
    List<GuestEvent> poll(int max, long timeout, TimeUnit unit) throws InterruptedException;

    /**
     * The guest's answer to a page request group ({@code struct iommu_hwpt_page_response}).
     *
     * @param cookie the cookie of a {@link PageRequestEvent} the guest read
     * @param code 0 SUCCESS or 1 INVALID; any other value is rejected
     * @return what became of the answer
     */
    AnswerOutcome respond(int cookie, int code);

    /** A snapshot of the counters. */
    GuestStatistics statistics();

    /** Whether the guest has gone away. */
    boolean closed();

    /**
     * The guest has gone away: answers INVALID every group it holds, discards its queue, and withdraws its fault
     * handler. Idempotent.
     */
    @Override
    void close();
}
