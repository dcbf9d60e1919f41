package dev.faultline.drivers.msm.internal;

import java.util.ArrayList;
import java.util.List;

/** Keeps every line, in order. */
final class RecordingLog implements MsmLog {
    final List<String> lines = new ArrayList<>();

    @Override
    public synchronized void warn(String line) {
        lines.add(line);
    }

    @Override
    public synchronized void error(String line) {
        lines.add(line);
    }

    synchronized List<String> matching(String prefix) {
        return lines.stream().filter(l -> l.startsWith(prefix)).toList();
    }
}
