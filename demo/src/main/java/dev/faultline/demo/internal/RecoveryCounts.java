package dev.faultline.demo.internal;

import dev.faultline.demo.DemoReport;
import java.util.ArrayList;
import java.util.List;

/** Recoveries the drivers reported during one run. */
final class RecoveryCounts {
    private final List<DemoReport.Recovery> recoveries = new ArrayList<>();

    synchronized void add(String driver, long count) {
        recoveries.add(new DemoReport.Recovery(driver, count));
    }

    synchronized List<DemoReport.Recovery> all() {
        return List.copyOf(recoveries);
    }
}
