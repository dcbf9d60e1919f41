package dev.faultline.viommu.internal;

import dev.faultline.viommu.GuestStatistics;
import java.util.concurrent.atomic.AtomicLong;

/** The counters behind {@link GuestStatistics}; atomic, so they may be bumped inside or outside the guest's lock. */
final class GuestCounters {
    final AtomicLong routed = new AtomicLong();
    final AtomicLong pageRequestGroups = new AtomicLong();
    final AtomicLong unrecoverable = new AtomicLong();
    final AtomicLong rateLimited = new AtomicLong();
    final AtomicLong queueFull = new AtomicLong();
    final AtomicLong pendingFull = new AtomicLong();
    final AtomicLong droppedUnknownDevice = new AtomicLong();
    final AtomicLong droppedClosed = new AtomicLong();
    final AtomicLong answeredForGuest = new AtomicLong();
    final AtomicLong accepted = new AtomicLong();
    final AtomicLong invalidCode = new AtomicLong();
    final AtomicLong forged = new AtomicLong();
    final AtomicLong replayed = new AtomicLong();
    final AtomicLong late = new AtomicLong();
    final AtomicLong reasonDisagreements = new AtomicLong();
    final AtomicLong staleWalks = new AtomicLong();

    GuestStatistics snapshot(int queued, int pending) {
        long groups = pageRequestGroups.get();
        long faults = unrecoverable.get();
        long rate = rateLimited.get();
        long full = queueFull.get();
        long slots = pendingFull.get();
        return GuestStatistics.builder().routed(routed.get()).delivered(groups + faults)
                .pageRequestGroups(groups).unrecoverable(faults).lost(rate + full + slots).rateLimited(rate)
                .queueFull(full).pendingFull(slots).droppedUnknownDevice(droppedUnknownDevice.get())
                .droppedClosed(droppedClosed.get()).answeredForGuest(answeredForGuest.get())
                .accepted(accepted.get()).invalidCode(invalidCode.get()).forged(forged.get())
                .replayed(replayed.get()).late(late.get()).reasonDisagreements(reasonDisagreements.get())
                .staleWalks(staleWalks.get()).queued(queued).pending(pending).build();
    }
}
