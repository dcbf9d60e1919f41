package dev.faultline.core.internal.hold;

import java.util.function.LongConsumer;

/**
 * The one thread of the whole core that answers held groups at their deadline ({@link ResponseLedger#expireDue})
 * and runs the core's periodic scan (inline handler calls that block, ended departures and hand-overs). It parks
 * until the earliest head of the ledger's deadline FIFOs (or the next scan); a group held with an earlier deadline
 * unparks it. Only held groups have deadlines in the ledger, so answering inline costs this thread nothing.
 *
 * <p>Tests and simulations run without the thread and call {@link ResponseLedger#expireDue(long)} and the scan
 * themselves.
 */
public final class DeadlineWatchdog {
    private final Ticker ticker;
    private final ResponseLedger ledger;
    private final LongConsumer scan;
    private volatile long scanPeriodNanos;
    private volatile boolean running;
    private Thread thread;

    public DeadlineWatchdog(Ticker ticker, ResponseLedger ledger, LongConsumer scan, long scanPeriodNanos) {
        this.ticker = ticker;
        this.ledger = ledger;
        this.scan = scan;
        this.scanPeriodNanos = scanPeriodNanos;
    }

    public void setScanPeriodNanos(long nanos) {
        scanPeriodNanos = nanos;
    }

    /** Starts the watchdog thread. */
    public synchronized void start() {
        if (thread != null) {
            return;
        }
        running = true;
        thread = new Thread(this::run, "faultline-deadline-watchdog");
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops the thread; groups still held are left to their owners. */
    public synchronized void stop() {
        running = false;
        if (thread != null) {
            thread.interrupt();
            thread = null;
        }
    }

    private void run() {
        long lastScan = ticker.nanoTime();
        while (running) {
            try {
                ledger.awaitNextDeadline(scanPeriodNanos - (ticker.nanoTime() - lastScan));
            } catch (InterruptedException e) {
                return;
            }
            long now = ticker.nanoTime();
            ledger.expireDue(now);
            if (now - lastScan >= scanPeriodNanos) {
                lastScan = now;
                scan.accept(now);
            }
        }
    }
}
