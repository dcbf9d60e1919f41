package dev.faultline.smmuv3.internal;

import dev.faultline.api.backend.FaultQueue;
import dev.faultline.api.backend.IommuPort;
import dev.faultline.core.log.LogSink;
import dev.faultline.core.queue.QueuePass;
import dev.faultline.platform.memory.PhysicalMemory;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The fault thread (Linux {@code arm_smmu_evtq_thread} and {@code arm_smmu_priq_thread}, here one thread
 * {@code <smmu>-evtq} woken by the event, PRI and GERROR interrupts): each pass drains the event queue, then the
 * PRI queue, then checks GERROR. A pass holds the SMMU's {@link QueuePass}, which a teardown takes too to drain
 * the queues before a change of owner, and which moves to a fresh thread when a handler holds a report too long.
 *
 * <p>Overflow: a new episode (PROD.OVFLG different from the flag last seen) is logged once and acknowledged with
 * CONS; after a PRI queue overflow the core discards the groups whose last request may have been lost.
 */
final class FaultQueues {
    private static final int DRAINED = 0;
    private static final int OVERFLOWED = 1;
    private static final int ABANDONED = 2;

    private final String name;
    private final String prefix;
    private final LogSink log;
    private final PhysicalMemory memory;
    private final QueueReader events;
    private final QueueReader pageRequests;
    private final EventRouter eventRouter;
    private final PriRouter priRouter;
    private final GlobalErrors globalErrors;
    private final CommandQueue commands;
    private final long syncTimeoutNanos;
    private final Semaphore kick = new Semaphore(0);
    /** Runs on each interrupt instead of waking the fault thread (a simulation without threads), else null. */
    private final Runnable kicked;
    /** Starts a successor of a held fault thread in a simulation without threads, else null. */
    private final Consumer<Runnable> startSuccessor;
    /** Held while the event and PRI queues are consumed: by the fault thread, or by a teardown draining them. */
    private final QueuePass pass = new QueuePass();
    /** Guards {@link #faultThread} against a successor started as the driver stops. */
    private final Object successorLock = new Object();
    private final AtomicLong teardownDrains = new AtomicLong();
    private final AtomicLong teardownDrainsTimedOut = new AtomicLong();
    private IommuPort port;
    private boolean priQueue;
    private Thread faultThread;
    private int successors;
    private volatile boolean running;
    /** The queue whose entry is being reported (written by the pass's holder before each report). */
    private QueueReader inFlight;
    // written by the pass's holder only (single writer), read by the shell: volatile for visibility
    private volatile long eventOverflows;
    private volatile long priOverflows;
    private volatile long malformedRecords;

    FaultQueues(String name, String prefix, LogSink log, PhysicalMemory memory, QueueReader events,
            QueueReader pageRequests, EventRouter eventRouter, PriRouter priRouter, GlobalErrors globalErrors,
            CommandQueue commands, long syncTimeoutNanos, Runnable kicked, Consumer<Runnable> startSuccessor) {
        this.name = name;
        this.prefix = prefix;
        this.log = log;
        this.memory = memory;
        this.events = events;
        this.pageRequests = pageRequests;
        this.eventRouter = eventRouter;
        this.priRouter = priRouter;
        this.globalErrors = globalErrors;
        this.commands = commands;
        this.syncTimeoutNanos = syncTimeoutNanos;
        this.kicked = kicked;
        this.startSuccessor = startSuccessor;
    }

    /** Starts the fault thread (none in a simulation), which drains at its first kick what is queued already. */
    void start(IommuPort corePort, boolean withPriQueue) {
        this.port = corePort;
        this.priQueue = withPriQueue;
        running = true;
        if (kicked == null) {
            synchronized (successorLock) {
                faultThread = new Thread(this::faultLoop, name + "-evtq");
                faultThread.setDaemon(true);
                faultThread.start();
            }
        }
    }

    /** An interrupt (or the start): wakes the fault thread, or tells the simulation. */
    void kick() {
        if (kicked == null) {
            kick.release();
        } else {
            kicked.run();
        }
    }

    /** Stops the fault thread, waiting up to 10 s for its pass to end; records keep queueing in memory. */
    void stop() {
        running = false;
        Thread thread;
        synchronized (successorLock) {
            thread = faultThread;
        }
        if (thread == null) {
            return;
        }
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            log.error(prefix + "fault thread did not stop within 10 s");
        }
    }

    private void faultLoop() {
        while (running) {
            try {
                kick.tryAcquire(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                break;
            }
            kick.drainPermits();
            if (!running) {
                break;
            }
            if (!service()) {
                return; // a handler holds this thread: a successor goes on with the queues
            }
        }
    }

    /**
     * What the fault thread does after a kick, for a driver without threads: a pass, unless it stopped.
     *
     * @return {@code false} if nothing ran because another actor holds the pass (a teardown draining the queues, or
     *     a pass whose handler call blocks): the caller kicks again later, as a thread would wait for the pass
     */
    boolean pass() {
        if (!running) {
            return true;
        }
        if (!pass.tryEnter()) {
            return false;
        }
        if (passOverQueues()) {
            pass.leave();
        }
        return true;
    }

    /**
     * One pass over the event queue, the PRI queue and GERROR.
     *
     * @return {@code false} if a handler held a report of this pass so long that the pass went to a fresh thread
     */
    private boolean service() {
        pass.enter();
        if (!passOverQueues()) {
            return false;
        }
        pass.leave();
        return true;
    }

    private boolean passOverQueues() {
        if (!drainEvents()) {
            return false;
        }
        if (priQueue && !drainPageRequests()) {
            return false;
        }
        globalErrors.check();
        return true;
    }

    /**
     * The core found a report of this driver held by an inline handler past its blocking threshold: unless too
     * many threads are held already, the fault thread is left to the handler and a fresh one steps past the
     * record in flight (reported once; the core answers its group) and goes on with the queues, so the other
     * devices behind this SMMU are not held up.
     */
    void reportingThreadBlocked() {
        synchronized (successorLock) {
            QueueReader stuck = inFlight;
            boolean handedOver = running && (startSuccessor != null
                    ? pass.handOver(startSuccessor, () -> stepPast(stuck), kicked)
                    : pass.handOver(this::startThread, () -> stepPast(stuck), () -> {
                        kick.release();
                        faultLoop();
                    }));
            if (!handedOver) {
                return;
            }
        }
        log.warn(prefix + "a handler holds the fault thread; the event and PRI queues go on on a fresh thread");
    }

    /** Starts a successor fault thread (under {@link #successorLock}), which {@link #stop()} then waits for. */
    private void startThread(Runnable successor) {
        successors++;
        faultThread = new Thread(successor, name + "-evtq-" + successors);
        faultThread.setDaemon(true);
        faultThread.start();
    }

    /**
     * A successor's first step: past the record in flight, published at once (CONS), so that a driver started
     * after this one stops before the successor's first pass does not read that record again and report it twice.
     */
    private static void stepPast(QueueReader stuck) {
        stuck.advance();
        stuck.publish();
    }

    /**
     * The drain of a change of owner, after the configuration change was made visible (CMD_CFGI_CD or
     * CMD_CFGI_STE, and CMD_SYNC): consumes the event and PRI queues (waiting for a pass the fault thread is in),
     * so that the stalls and page requests the old configuration produced are reported under the old owner and
     * answered by the core's barrier (CMD_RESUME with abort, CMD_PRI_RESP InvalidRequest), never by the next
     * owner. Stop Markers in the queue are dropped as always. From inside a handler call on the fault thread the
     * pass in progress goes on by itself. A pass held up by a handler call that blocks is waited for at most the
     * sync timeout; then the teardown goes on without the drain (logged, counted), so it never hangs.
     */
    void drainForTeardown() {
        teardownDrains.incrementAndGet();
        if (!running) {
            return;
        }
        // a handler may hold a report of the pass so long that a successor takes the rest: passWithin waits for it
        if (pass.passWithin(syncTimeoutNanos, this::passOverQueues) == QueuePass.Drain.TIMED_OUT) {
            teardownDrainsTimedOut.incrementAndGet();
            log.error(prefix + "teardown: the fault thread's pass over the queues did not end in time;"
                    + " records of the old owner may reach the next one");
        }
    }

    /** Whether a teardown waits for the fault thread's pass over the queues (for tests). */
    boolean teardownWaiting() {
        return pass.contended();
    }

    /** @return {@code false} if the pass was abandoned to a successor */
    private boolean drainEvents() {
        int drained = drain(events, true, "EVTQ overflow detected -- events lost");
        if (drained == OVERFLOWED) {
            port.reportOverflow(FaultQueue.FAULT_RECORDS); // the core's count first: ours implies it
            eventOverflows++;
        }
        return drained != ABANDONED;
    }

    /** @return {@code false} if the pass was abandoned to a successor */
    private boolean drainPageRequests() {
        int drained = drain(pageRequests, false, "PRIQ overflow detected -- requests lost");
        if (drained == OVERFLOWED) {
            port.reportOverflow(FaultQueue.PAGE_REQUESTS);
            priOverflows++;
            port.discardPartials(); // groups whose last request may have been lost (IHI 0070 §8.1.1)
        }
        return drained != ABANDONED;
    }

    /**
     * Consumes every entry of {@code queue} until it stays empty, in batches: the entries between CONS and the PROD
     * read, then one CMD_SYNC for the responses given meanwhile on this thread ({@link CommandQueue#openBatch()}),
     * then CONS published (which also acknowledges an overflow). An overflow episode is logged once, when first
     * seen. Each entry is reported inside {@link QueuePass#reportStarts()} / {@link QueuePass#reportEnded()}.
     *
     * @return {@link #DRAINED}, {@link #OVERFLOWED} (a new overflow episode was seen), or {@link #ABANDONED} (a
     *     handler held an entry's report so long that the pass went to a fresh thread: leave the queue alone)
     */
    private int drain(QueueReader queue, boolean eventQueue, String overflowLine) {
        boolean overflow = false;
        while (true) {
            if (queue.syncProducer()) {
                overflow = true;
                log.error(prefix + overflowLine);
            }
            if (!queue.hasEntry()) {
                queue.publish();
                return overflow ? OVERFLOWED : DRAINED;
            }
            commands.openBatch();
            while (queue.hasEntry()) {
                long at = queue.entry();
                inFlight = queue;
                pass.reportStarts();
                try {
                    if (eventQueue) {
                        eventRouter.route(memory.read64(at), memory.read64(at + 8), memory.read64(at + 16),
                                memory.read64(at + 24));
                    } else {
                        priRouter.route(memory.read64(at), memory.read64(at + 8));
                    }
                } catch (RuntimeException e) {
                    malformedRecords++;
                    log.error(prefix + "queue entry at 0x" + Long.toHexString(at) + " not handled: " + e);
                }
                if (!pass.reportEnded()) {
                    // the queues are no longer this thread's, nor the command queue (its driver may be gone): the
                    // responses it published are with the SMMU; the successor's next batch ends with their sync
                    return ABANDONED;
                }
                queue.advance();
            }
            commands.closeBatch();
            queue.publish();
        }
    }

    long eventOverflows() {
        return eventOverflows;
    }

    long priOverflows() {
        return priOverflows;
    }

    long malformedRecords() {
        return malformedRecords;
    }

    long teardownDrains() {
        return teardownDrains.get();
    }

    long teardownDrainsTimedOut() {
        return teardownDrainsTimedOut.get();
    }

    long reportsAbandoned() {
        return pass.abandoned();
    }

    int threadsBlocked() {
        return pass.blocked();
    }

    long abandonsRefused() {
        return pass.refused();
    }
}
