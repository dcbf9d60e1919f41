package dev.faultline.vtd.internal;

import dev.faultline.core.log.LogSink;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/** Keeps every line, whatever its level. */
final class RecordingLog implements LogSink {
    final List<String> lines = new CopyOnWriteArrayList<>();

    @Override
    public void error(String line, @Nullable Throwable cause) {
        lines.add(cause == null ? line : line + ": " + cause);
    }

    @Override
    public void warn(String line) {
        lines.add(line);
    }

    @Override
    public void info(String line) {
        lines.add(line);
    }
}
