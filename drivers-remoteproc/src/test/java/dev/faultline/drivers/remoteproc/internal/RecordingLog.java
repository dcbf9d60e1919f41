package dev.faultline.drivers.remoteproc.internal;

import java.util.ArrayList;
import java.util.List;

/** Keeps every line, errors and infos alike, in order. */
final class RecordingLog implements RprocLog {
    final List<String> lines = new ArrayList<>();

    @Override
    public synchronized void error(String line) {
        lines.add(line);
    }

    @Override
    public synchronized void info(String line) {
        lines.add(line);
    }
}
