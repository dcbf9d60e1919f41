package dev.faultline.core.internal.answer;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * One reusable {@link InlineGroup} per reporting thread (a backend's fault thread, in practice one per IOMMU),
 * so a report needs no allocation and no lock to get its group. A handler that reports a fault from inside its
 * own call gets a fresh slot for that nested report. The slots are listed for the watchdog and the pending gauge;
 * the slot of a thread that ended leaves the list when the next thread gets its slot.
 */
public final class InlineSlots {
    private final GroupHolder holder;
    private final CopyOnWriteArrayList<InlineGroup> all = new CopyOnWriteArrayList<>();
    private final ThreadLocal<InlineGroup> perThread = ThreadLocal.withInitial(this::newSlot);

    public InlineSlots(GroupHolder holder) {
        this.holder = holder;
    }

    /**
     * The calling thread's own listed slot, idle or busy (a reporter keeps it, so that it looks it up once per
     * thread change; a slot is reused only by the thread that owns it).
     */
    public InlineGroup own() {
        return perThread.get();
    }

    /** A fresh slot for a report made from inside a handler call on this thread (not listed). */
    public InlineGroup nested() {
        return new InlineGroup(4, holder, Thread.currentThread(), false);
    }

    /** Visits every listed slot. */
    public void forEach(Consumer<InlineGroup> action) {
        for (InlineGroup g : all) {
            action.accept(g);
        }
    }

    private InlineGroup newSlot() {
        all.removeIf(g -> !g.owner.isAlive() && g.idle());
        InlineGroup g = new InlineGroup(4, holder, Thread.currentThread(), true);
        all.add(g);
        return g;
    }
}
