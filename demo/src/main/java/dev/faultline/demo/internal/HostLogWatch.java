package dev.faultline.demo.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;

/**
 * Watches the host's log (every line the core, the backends and the drivers log, which the launcher prints)
 * from the moment it is opened, keeping the lines a predicate picks. The log service tells listeners on its
 * own thread; {@link #lines(DemoServices)} first waits until the listener has seen every entry the log had
 * stored when it was called, so a line logged before the call is never missed.
 */
final class HostLogWatch implements LogListener, AutoCloseable {
    private final LogReaderService reader;
    private final Predicate<String> picked;
    private final List<String> lines = new ArrayList<>();
    /** Entries up to this one were logged before the watch opened. */
    private long startSequence = Long.MAX_VALUE;
    private long lastSeen = -1;

    HostLogWatch(LogReaderService reader, Predicate<String> picked) {
        this.reader = reader;
        this.picked = picked;
        reader.addLogListener(this);
        long newest = newestStored();
        synchronized (this) {
            startSequence = newest;
            lastSeen = Math.max(lastSeen, newest);
        }
    }

    @Override
    public synchronized void logged(LogEntry entry) {
        lastSeen = Math.max(lastSeen, entry.getSequence());
        if (entry.getSequence() > startSequence && picked.test(entry.getMessage())) {
            lines.add(entry.getMessage());
        }
    }

    /**
     * The picked lines logged since the watch opened.
     *
     * @throws IllegalStateException if the listener was not told of every stored entry within the wait
     */
    List<String> lines(DemoServices services) {
        long newest = newestStored();
        if (!services.until(() -> seen(newest))) {
            throw new IllegalStateException("the log service did not deliver entry " + newest + " in time");
        }
        synchronized (this) {
            return List.copyOf(lines);
        }
    }

    private synchronized boolean seen(long sequence) {
        return lastSeen >= sequence;
    }

    /** The sequence number of the newest entry the log holds, or -1 when it holds none. */
    private long newestStored() {
        long newest = -1;
        for (LogEntry entry : Collections.list(reader.getLog())) {
            newest = Math.max(newest, entry.getSequence());
        }
        return newest;
    }

    @Override
    public void close() {
        reader.removeLogListener(this);
    }
}
