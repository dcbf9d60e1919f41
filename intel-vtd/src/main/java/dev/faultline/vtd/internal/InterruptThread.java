package dev.faultline.vtd.internal;

import dev.faultline.api.backend.FaultQueue;
import dev.faultline.api.backend.IommuPort;
import dev.faultline.core.queue.QueuePass;
import dev.faultline.platform.vtd.UnitInterrupt;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The unit's interrupt thread {@code <unit>-prq} (Linux {@code dmar_fault} and {@code prq_event_thread} on one
 * thread): woken by the fault event and the page request event, each pass drains the fault records
 * ({@link FaultRecordReader}) and the page request queue ({@link PageRequestReader}) whose event is pending, holding
 * the unit's {@link QueuePass}. When a handler holds a report past the core's blocking threshold, a fresh thread takes
 * the pass over ({@link #reportingThreadBlocked()}). A driver built for a simulation has no thread: each interrupt
 * runs {@code kicked}, and the simulation calls {@link #pass()}.
 */
final class InterruptThread {
    private static final long JOIN_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final String unitName;
    private final DmarLog log;
    private final FaultRecordReader faults;
    private final PageRequestReader pageRequests;
    private final IommuPort port;
    /** Held while the fault records and the page request queue are consumed (interrupt thread or teardown). */
    private final QueuePass pass;
    private final AtomicBoolean faultEvent = new AtomicBoolean(true);
    private final AtomicBoolean pageRequestEvent = new AtomicBoolean(true);
    /** Guards {@link #thread} against a successor started as the driver stops. */
    private final Object successorLock = new Object();
    /** Runs on each interrupt instead of waking the interrupt thread (a simulation without threads), else null. */
    private final Runnable kicked;
    /** Starts a successor of a held interrupt thread in a simulation without threads, else null. */
    private final Consumer<Runnable> startSuccessor;
    private volatile Thread thread;
    private int successors;
    private volatile boolean running;

    InterruptThread(String unitName, DmarLog log, FaultRecordReader faults, PageRequestReader pageRequests,
            IommuPort port, QueuePass pass, Runnable kicked, Consumer<Runnable> startSuccessor) {
        this.unitName = unitName;
        this.log = log;
        this.faults = faults;
        this.pageRequests = pageRequests;
        this.port = port;
        this.pass = pass;
        this.kicked = kicked;
        this.startSuccessor = startSuccessor;
        if (kicked == null) {
            this.thread = new Thread(this::run, unitName + "-prq");
            thread.setDaemon(true);
        }
    }

    /** Starts the thread, whose first pass drains what is pending (a simulation's driver has none). */
    void start() {
        running = true;
        if (kicked == null) {
            thread.start();
        }
    }

    /** A simulation's driver: tells the simulation to run a first pass. */
    void kickSimulation() {
        if (kicked != null) {
            kicked.run();
        }
    }

    /** Stops the thread after its current pass (a handler holding it longer is interrupted). */
    void stop() {
        running = false;
        Thread current;
        synchronized (successorLock) {
            current = this.thread;
        }
        if (current == null) {
            return;
        }
        LockSupport.unpark(current);
        try {
            current.join(TimeUnit.NANOSECONDS.toMillis(JOIN_NANOS));
            if (current.isAlive()) {
                log.problem("DMAR: " + unitName + ": interrupt thread still busy in a handler; interrupting it");
                current.interrupt();
                current.join(TimeUnit.NANOSECONDS.toMillis(JOIN_NANOS));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** An interrupt of the unit: notes its event and wakes the thread (or tells the simulation). */
    void interrupt(UnitInterrupt interrupt) {
        if (interrupt == UnitInterrupt.FAULT_EVENT) {
            faultEvent.set(true);
        } else if (interrupt == UnitInterrupt.PAGE_REQUEST_EVENT) {
            pageRequestEvent.set(true);
        }
        if (kicked != null) {
            kicked.run();
        } else {
            LockSupport.unpark(thread);
        }
    }

    private void run() {
        while (running) {
            int outcome = pass();
            if (outcome == FaultRecordReader.ABANDONED) {
                return; // a handler holds this thread: a successor goes on with the queues
            }
            if (outcome == FaultRecordReader.DONE && running) {
                LockSupport.park(this);
            }
        }
    }

    /**
     * One pass of the interrupt thread over the events latched since the last one (what the thread does when woken;
     * a simulation without threads calls it after {@code kicked}).
     *
     * <p>Without threads it never waits: when another actor holds the pass (a teardown draining the queues, or a
     * pass whose handler call blocks), nothing runs and it returns {@link FaultRecordReader#AGAIN}, so the simulation
     * looks again later, as the thread would take the pass once its holder left it.
     *
     * @return {@link FaultRecordReader#AGAIN} if there was work (the thread looks again at once),
     *     {@link FaultRecordReader#DONE} if none, {@link FaultRecordReader#ABANDONED} if the pass went to a fresh
     *     thread while a handler held this one
     */
    int pass() {
        if (!running) {
            return FaultRecordReader.DONE;
        }
        if (kicked == null) {
            pass.enter();
        } else if (!pass.tryEnter()) {
            return FaultRecordReader.AGAIN;
        }
        int outcome;
        try {
            outcome = passOverQueues();
        } catch (RuntimeException e) {
            log.problem("DMAR: " + unitName + ": interrupt thread: " + e);
            outcome = FaultRecordReader.AGAIN;
        }
        if (outcome != FaultRecordReader.ABANDONED) {
            pass.leave();
        }
        return outcome;
    }

    /**
     * One pass over the fault records and the page request queue, each if its event is pending.
     *
     * @return {@link FaultRecordReader#AGAIN} if there was work, {@link FaultRecordReader#DONE} if none, or
     *     {@link FaultRecordReader#ABANDONED} if the pass went to a fresh thread
     */
    private int passOverQueues() {
        int outcome = FaultRecordReader.DONE;
        if (faultEvent.getAndSet(false)) {
            outcome = FaultRecordReader.AGAIN;
            long overflowsBefore = faults.overflows;
            int drained = faults.drain();
            if (faults.overflows != overflowsBefore) {
                port.reportOverflow(FaultQueue.FAULT_RECORDS); // FSTS.PFO: the hardware dropped faults
            }
            if (drained == FaultRecordReader.ABANDONED) {
                faultEvent.set(true); // the successor looks again
                return drained;
            }
            if (drained == FaultRecordReader.AGAIN) {
                faultEvent.set(true);
            }
        }
        if (pageRequestEvent.getAndSet(false)) {
            outcome = FaultRecordReader.AGAIN;
            int drained = pageRequests.drain(port);
            if (drained == FaultRecordReader.ABANDONED) {
                pageRequestEvent.set(true);
                return drained;
            }
            if (drained == FaultRecordReader.AGAIN) {
                pageRequestEvent.set(true);
            }
        }
        return outcome;
    }

    /**
     * The core found a report of this driver held by an inline handler past its blocking threshold: unless too
     * many threads are held already, the interrupt thread is left to the handler and a fresh one steps past the
     * descriptor in flight (reported once; the core answers its group) and goes on with the fault records and
     * the page request queue, so the unit's other devices are not held up.
     */
    void reportingThreadBlocked() {
        synchronized (successorLock) {
            boolean handedOver = running && (startSuccessor != null
                    ? pass.handOver(startSuccessor, pageRequests::stepPastInFlight, () -> {
                        lookAgain();
                        kicked.run();
                    })
                    : pass.handOver(this::startThread, pageRequests::stepPastInFlight, () -> {
                        lookAgain();
                        run();
                    }));
            if (!handedOver) {
                return;
            }
        }
        log.problem("DMAR: " + unitName + ": a handler holds the interrupt thread; the fault records and the"
                + " page request queue go on on a fresh thread");
    }

    /** A successor looks at both sources again: the held pass may have left work in either. */
    private void lookAgain() {
        faultEvent.set(true);
        pageRequestEvent.set(true);
    }

    /** Starts a successor interrupt thread (under {@link #successorLock}), which {@link #stop()} then waits for. */
    private void startThread(Runnable successor) {
        successors++;
        Thread fresh = new Thread(successor, unitName + "-prq-" + successors);
        fresh.setDaemon(true);
        thread = fresh;
        fresh.start();
    }
}
