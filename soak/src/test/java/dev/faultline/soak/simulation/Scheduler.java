package dev.faultline.soak.simulation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * The one scheduler of a simulated run: a virtual clock, the events of every logical thread of the machine
 * (devices, driver fault threads, the core's watchdog, queued handlers' threads, the handlers' own workers, the
 * chaos), and one seeded generator that decides every delay. Everything runs on the calling thread: the next
 * event is the earliest one whose thread is not busy (ties in the order they were scheduled), and the clock jumps
 * to it. A thread that blocks ({@link #block}) runs the other threads' events while the time passes, so a handler
 * that blocks the driver's fault thread lets devices, the watchdog and the other IOMMU go on, as on a real
 * machine, while the blocked thread's own events wait.
 *
 * <p>Nothing here reads a real clock or starts a thread; with the same seed, the same calls give the same run.
 */
final class Scheduler {
    /** A logical thread of the simulated machine. */
    static final class Actor {
        final String name;
        private int busy;

        Actor(String name) {
            this.name = name;
        }

        /** Whether it is inside one of its events now (also while that event blocks). */
        boolean busy() {
            return busy > 0;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private record Event(long at, long seq, Actor actor, List<Actor> holds, String what, Runnable action) {
    }

    /** What a routine event does (a watchdog tick): traced, but left out of a failure report's tail. */
    static final String ROUTINE = "tick";

    /** The virtual clock starts here (an arbitrary origin, as System.nanoTime's). */
    static final long ORIGIN = 1_000_000_000L;

    private final SplittableRandom random;
    private final Trace trace;
    private final PriorityQueue<Event> events =
            new PriorityQueue<>(Comparator.comparingLong(Event::at).thenComparingLong(Event::seq));
    private long now = ORIGIN;
    private long seq;
    private long steps;
    private int depth;

    Scheduler(long seed, Trace trace) {
        this.random = new SplittableRandom(seed);
        this.trace = trace;
    }

    /** The virtual time, in nanoseconds. */
    long now() {
        return now;
    }

    /** The run's generator: every random choice of the run comes from here, in the order the run makes them. */
    SplittableRandom random() {
        return random;
    }

    /** A delay in [min, max] nanoseconds. */
    long delay(long min, long max) {
        return min + random.nextLong(max - min + 1);
    }

    /** Events run so far (nested ones included). */
    long steps() {
        return steps;
    }

    /** Adds a line to the trace, stamped with the virtual time. */
    void trace(String line) {
        trace.add(now + " " + line);
    }

    /** Runs {@code action} on {@code actor} {@code delayNanos} from now. */
    void after(long delayNanos, Actor actor, String what, Runnable action) {
        events.add(new Event(now + delayNanos, seq++, actor, List.of(), what, action));
    }

    /**
     * Runs {@code action} on {@code actor} {@code delayNanos} from now, or later: once none of {@code holds} is busy,
     * and they stay busy while it runs (also while it blocks). That is what a thread does that joins another thread,
     * waits for its work in progress, or takes a lock that thread takes for its work (a driver's teardown drains the
     * queues under the lock of the fault thread's pass): neither runs while the other is inside. {@code holds} is
     * read when the event is due, so a list the caller grows covers threads started meanwhile.
     */
    void afterHolding(long delayNanos, Actor actor, List<Actor> holds, String what, Runnable action) {
        events.add(new Event(now + delayNanos, seq++, actor, holds, what, action));
    }

    /**
     * Runs the next event due at or before {@code until} whose thread (and the threads it holds) are not busy.
     *
     * @return whether there was one
     */
    boolean runNext(long until) {
        List<Event> waiting = null;
        Event next = null;
        while (!events.isEmpty() && events.peek().at() - until <= 0) {
            Event e = events.poll();
            if (eligible(e)) {
                next = e;
                break;
            }
            if (waiting == null) {
                waiting = new ArrayList<>();
            }
            waiting.add(e);
        }
        if (waiting != null) {
            events.addAll(waiting);
        }
        if (next == null) {
            return false;
        }
        if (next.at() - now > 0) {
            now = next.at();
        }
        run(next);
        return true;
    }

    private static boolean eligible(Event e) {
        if (e.actor().busy()) {
            return false;
        }
        for (Actor a : e.holds()) {
            if (a.busy()) {
                return false;
            }
        }
        return true;
    }

    private void run(Event e) {
        steps++;
        trace.add(now + " " + e.actor().name + " " + e.what(), !e.what().equals(ROUTINE));
        List<Actor> holds = List.copyOf(e.holds());
        e.actor().busy++;
        holds.forEach(a -> a.busy++);
        depth++;
        try {
            e.action().run();
        } finally {
            depth--;
            holds.forEach(a -> a.busy--);
            e.actor().busy--;
        }
    }

    /**
     * The current event's thread blocks for {@code nanos}: the other threads' events due meanwhile run (nested),
     * then the clock is at least {@code nanos} later.
     */
    void block(long nanos) {
        if (depth == 0) {
            throw new IllegalStateException("block() outside an event");
        }
        long until = now + nanos;
        while (runNext(until)) {
            // the other threads go on while this one is blocked
        }
        if (until - now > 0) {
            now = until;
        }
    }

    /**
     * Runs events (top level) until {@code done} holds or the clock passes {@code limit}; {@code afterEach} runs
     * after every event (the run's invariant checks).
     *
     * @return whether {@code done} held
     */
    boolean runUntil(BooleanSupplier done, long limit, Runnable afterEach) {
        while (!done.getAsBoolean()) {
            if (!runNext(limit)) {
                return false;
            }
            afterEach.run();
        }
        return true;
    }
}
