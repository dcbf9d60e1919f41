package dev.faultline.console.internal.jmx;

import dev.faultline.console.internal.state.GuestView;
import dev.faultline.console.internal.state.Observer;
import dev.faultline.viommu.GuestLimits;
import dev.faultline.viommu.GuestStatistics;

/** One guest, found by name at each read; all zero once it closed. */
final class GuestBean implements GuestMXBean {
    private static final GuestStatistics NONE = GuestStatistics.builder().build();

    private final Observer observer;
    private final String guest;
    private final GuestLimits limits;

    GuestBean(Observer observer, String guest, GuestLimits limits) {
        this.observer = observer;
        this.guest = guest;
        this.limits = limits;
    }

    private GuestStatistics read() {
        for (GuestView view : observer.guests()) {
            if (view.name().equals(guest)) {
                return view.statistics();
            }
        }
        return NONE;
    }

    @Override
    public long getRouted() {
        return read().routed();
    }

    @Override
    public long getDelivered() {
        return read().delivered();
    }

    @Override
    public long getLost() {
        return read().lost();
    }

    @Override
    public long getRateLimited() {
        return read().rateLimited();
    }

    @Override
    public long getLostQueueFull() {
        return read().queueFull();
    }

    @Override
    public long getLostPendingFull() {
        return read().pendingFull();
    }

    @Override
    public long getAccepted() {
        return read().accepted();
    }

    @Override
    public long getRejectedAnswers() {
        return read().rejectedAnswers();
    }

    @Override
    public long getAnsweredForGuest() {
        return read().answeredForGuest();
    }

    @Override
    public long getStaleWalks() {
        return read().staleWalks();
    }

    @Override
    public int getQueued() {
        return read().queued();
    }

    @Override
    public int getQueueDepth() {
        return limits.eventQueueDepth();
    }

    @Override
    public int getPendingGroups() {
        return read().pending();
    }

    @Override
    public long getRateLimitPerSecond() {
        return limits.eventsPerSecond();
    }

    @Override
    public int getRateBurst() {
        return limits.burst();
    }
}
