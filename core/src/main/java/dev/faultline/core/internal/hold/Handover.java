package dev.faultline.core.internal.hold;

import dev.faultline.core.internal.answer.HeldGroup;
import java.util.ArrayList;
import java.util.List;

/**
 * Make-before-break for one target (a domain or a device) whose handler departed: until {@code until}, or until
 * a replacement takes the target over, the groups routed to it wait here instead of being answered "no handler".
 * Each waiting group is held (pending, watched for its deadline), named by its slot and generation. Thread-safe.
 */
public final class Handover {
    private final String target;
    private final String departed;
    private final long until;
    private final boolean guest;
    private final List<Waiting> waiting = new ArrayList<>();
    private boolean closed;

    public Handover(String target, String departed, long until, boolean guest) {
        this.target = target;
        this.departed = departed;
        this.guest = guest;
        this.until = until;
    }

    public String target() {
        return target;
    }

    /** The name of the handler that departed. */
    public String departed() {
        return departed;
    }

    /** Whether the departed handler was a guest's vIOMMU (the host prints nothing about its faults). */
    public boolean guest() {
        return guest;
    }

    /** Whether the window is over at {@code now}. */
    public boolean expired(long now) {
        return now - until >= 0;
    }

    /** A held group (one generation of its slot) waiting for the replacement. */
    public record Waiting(HeldGroup group, long generation) {
    }

    /** Keeps generation {@code generation} of {@code g} for the replacement; {@code false} if the hand-over is over. */
    public synchronized boolean park(HeldGroup g, long generation) {
        if (closed) {
            return false;
        }
        waiting.add(new Waiting(g, generation));
        return true;
    }

    /** Ends the hand-over; returns the groups that waited, oldest first. */
    public synchronized List<Waiting> close() {
        closed = true;
        List<Waiting> out = new ArrayList<>(waiting);
        waiting.clear();
        return out;
    }
}
