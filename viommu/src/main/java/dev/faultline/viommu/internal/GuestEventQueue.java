package dev.faultline.viommu.internal;

import dev.faultline.viommu.GuestEvent;
import dev.faultline.viommu.LostEvents;
import dev.faultline.viommu.PageRequestEvent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * One guest's bounded event queue, after iommufd's vEVENTQ: at most {@code depth} unread events; every entry
 * takes the next sequence number in {@code [0, Integer.MAX_VALUE]}, wrapping to 0; events that cannot be queued
 * are counted in a lost-events marker at the tail, which later losses join until another event is queued.
 * Markers do not count against the depth; as each is followed by an event or is last, the queue holds at most
 * {@code 2 * depth + 1} entries.
 *
 * <p>Not thread-safe: the guest's lock guards it.
 */
final class GuestEventQueue {
    private final int depth;
    private final ArrayDeque<Object> entries = new ArrayDeque<>();
    private int events;
    private int nextSequence;
    private LostMarker tailMarker;

    /** A marker still counting: the last entry of the queue. */
    private static final class LostMarker {
        final int sequence;
        long count;

        LostMarker(int sequence) {
            this.sequence = sequence;
        }
    }

    GuestEventQueue(int depth) {
        this(depth, 0);
    }

    /** A queue whose first entry takes {@code firstSequence} (to exercise the wrap). */
    GuestEventQueue(int depth, int firstSequence) {
        this.depth = depth;
        this.nextSequence = firstSequence;
    }

    /** Whether {@code depth} events are unread. */
    boolean full() {
        return events >= depth;
    }

    /** Takes the sequence number for the entry about to be added. */
    int takeSequence() {
        int sequence = nextSequence;
        nextSequence = (nextSequence + 1) & Integer.MAX_VALUE;
        return sequence;
    }

    /**
     * Appends an event stamped with {@link #takeSequence()}.
     *
     * @throws IllegalStateException if the queue is full
     */
    void add(GuestEvent event) {
        if (full()) {
            throw new IllegalStateException("guest event queue is at its depth " + depth);
        }
        entries.addLast(event);
        events++;
        tailMarker = null;
    }

    /** Counts one event that could not be queued, in the tail marker (appended if the tail is an event). */
    void recordLost() {
        if (tailMarker == null) {
            tailMarker = new LostMarker(takeSequence());
            entries.addLast(tailMarker);
        }
        tailMarker.count++;
    }

    /**
     * Removes up to {@code max} entries from the head, oldest first.
     *
     * @param taken told the cookie of each page request event removed
     */
    List<GuestEvent> poll(int max, IntConsumer taken) {
        List<GuestEvent> out = new ArrayList<>(Math.min(max, entries.size()));
        while (out.size() < max && !entries.isEmpty()) {
            Object head = entries.pollFirst();
            if (head instanceof LostMarker marker) {
                if (marker == tailMarker) {
                    tailMarker = null;
                }
                out.add(new LostEvents(marker.sequence, marker.count));
            } else {
                GuestEvent event = (GuestEvent) head;
                events--;
                if (event instanceof PageRequestEvent request) {
                    taken.accept(request.cookie());
                }
                out.add(event);
            }
        }
        return out;
    }

    /** Discards every entry. */
    void clear() {
        entries.clear();
        events = 0;
        tailMarker = null;
    }

    /** Entries now queued, markers included. */
    int size() {
        return entries.size();
    }
}
