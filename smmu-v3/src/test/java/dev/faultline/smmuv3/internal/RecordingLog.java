package dev.faultline.smmuv3.internal;

import java.util.ArrayList;
import java.util.List;

/** Keeps every driver log line, for assertions. */
final class RecordingLog implements DriverLog {
    private final List<String> lines = new ArrayList<>();

    @Override
    public synchronized void error(String line) {
        lines.add(line);
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
