package dev.faultline.core.internal;

import dev.faultline.core.internal.log.LogSink;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every host log line. */
final class CapturingLog implements LogSink {
    final List<String> lines = new CopyOnWriteArrayList<>();

    @Override
    public void warn(String line) {
        lines.add("WARN " + line);
    }

    @Override
    public void error(String line, Throwable cause) {
        lines.add("ERROR " + line + (cause == null ? "" : " [" + cause + "]"));
    }

    long count(String fragment) {
        return lines.stream().filter(l -> l.contains(fragment)).count();
    }
}
