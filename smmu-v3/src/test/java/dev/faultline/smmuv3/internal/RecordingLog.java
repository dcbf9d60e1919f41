package dev.faultline.smmuv3.internal;

import dev.faultline.core.log.LogSink;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Keeps every driver log line, for assertions. */
final class RecordingLog implements LogSink {
    private final List<String> lines = new ArrayList<>();

    @Override
    public synchronized void error(String line, @Nullable Throwable cause) {
        lines.add(cause == null ? line : line + ": " + cause);
    }

    @Override
    public synchronized void warn(String line) {
        lines.add(line);
    }

    @Override
    public synchronized void info(String line) {
        lines.add(line);
    }

    synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    synchronized long count(String fragment) {
        return lines.stream().filter(l -> l.contains(fragment)).count();
    }
}
