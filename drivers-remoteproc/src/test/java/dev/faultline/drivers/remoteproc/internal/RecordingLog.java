package dev.faultline.drivers.remoteproc.internal;

import dev.faultline.core.log.LogSink;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Keeps every line, whatever its level, in order. */
final class RecordingLog implements LogSink {
    final List<String> lines = new ArrayList<>();

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
}
