package dev.faultline.core.internal;

import dev.faultline.core.log.LogSink;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/** Keeps every host log line. */
final class CapturingLog implements LogSink {
    final List<String> lines = new CopyOnWriteArrayList<>();

    @Override
    public void warn(String line) {
        lines.add("WARN " + line);
    }

    @Override
    public void info(String line) {
        lines.add("INFO " + line);
    }

    @Override
    public void error(String line, @Nullable Throwable cause) {
        lines.add("ERROR " + line + (cause == null ? "" : " [" + cause + "]"));
    }

    long count(String fragment) {
        return lines.stream().filter(l -> l.contains(fragment)).count();
    }
}
