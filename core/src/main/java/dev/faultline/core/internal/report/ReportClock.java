package dev.faultline.core.internal.report;

import dev.faultline.core.internal.hold.Ticker;
import java.util.concurrent.locks.LockSupport;

/**
 * The time stamped on each report ({@link dev.faultline.api.handler.FaultGroup#reportedNanos()}), without a
 * clock read per fault. {@link System#nanoTime()} costs 20 ns or more on a virtual machine (a {@code kvm-clock}
 * vDSO read), several times the rest of an inline dispatch; so by default a report reads a field that a clock
 * thread refreshes every {@value #TICK_NANOS} ns, like the kernel's {@code jiffies}. The thread ticks only while
 * reports arrive: after {@value #IDLE_TICKS} ticks without one it parks, and the next report reads the real
 * clock once and wakes it. A stamp therefore lags the real time by at most about one tick.
 *
 * <p>With {@code timestamps.precise} (or without a clock thread, as in tests that drive a {@link Ticker}) every
 * report reads the ticker.
 */
public final class ReportClock {
    /** One millisecond: the lag of a coarse stamp, far below any deadline or blocking threshold. */
    static final long TICK_NANOS = 1_000_000L;
    /** Ticks without a report after which the clock thread parks until the next report. */
    static final int IDLE_TICKS = 100;

    private final Ticker ticker;
    private volatile boolean precise;
    private volatile boolean ticking;
    private volatile boolean asleep = true;
    private volatile boolean used;
    private volatile long now;
    private Thread thread;

    public ReportClock(Ticker ticker, boolean precise) {
        this.ticker = ticker;
        this.precise = precise;
    }

    public void setPrecise(boolean precise) {
        this.precise = precise;
    }

    /** Whether every report reads the ticker. */
    boolean precise() {
        return precise || !ticking;
    }

    /** Whether the clock thread is parked until the next report. */
    boolean asleep() {
        return asleep;
    }

    /** The stamp of a report now. */
    long stamp() {
        if (precise || !ticking) {
            return ticker.nanoTime();
        }
        if (asleep) {
            return wake();
        }
        if (!used) {
            used = true;
        }
        return now;
    }

    private long wake() {
        long t = ticker.nanoTime();
        now = t;
        used = true;
        asleep = false;
        Thread th = thread;
        if (th != null) {
            LockSupport.unpark(th);
        }
        return t;
    }

    /** Starts the clock thread. */
    public synchronized void start() {
        if (thread != null) {
            return;
        }
        Thread t = new Thread(this::run, "faultline-report-clock");
        t.setDaemon(true);
        thread = t;
        ticking = true;
        t.start();
    }

    /** Stops the clock thread; reports read the ticker from now on. */
    public synchronized void stop() {
        Thread t = thread;
        if (t == null) {
            return;
        }
        ticking = false;
        thread = null;
        t.interrupt();
        LockSupport.unpark(t);
    }

    private void run() {
        int idle = 0;
        while (ticking && !Thread.currentThread().isInterrupted()) {
            if (asleep) {
                LockSupport.park(this);
                idle = 0;
                continue;
            }
            LockSupport.parkNanos(this, TICK_NANOS);
            now = ticker.nanoTime();
            if (used) {
                used = false;
                idle = 0;
            } else if (++idle >= IDLE_TICKS) {
                asleep = true;
            }
        }
    }
}
