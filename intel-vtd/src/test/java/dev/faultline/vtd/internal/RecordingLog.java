package dev.faultline.vtd.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every line, whatever its level. */
final class RecordingLog implements LogSink {
    final List<String> lines = new CopyOnWriteArrayList<>();

    @Override
    public void error(String line) {
        lines.add(line);
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
