package dev.faultline.soak;

import dev.faultline.api.stats.FaultCounts;
import dev.faultline.api.stats.FaultStatistics;
import java.util.ArrayList;
import java.util.List;

/** The figures of every core a soak ran, across core swaps: the retired ones' and the running one's. */
public final class CoreFigures {
    private final List<FaultStatistics> retired = new ArrayList<>();
    private FaultStatistics running;

    /** {@code core} runs from now on; the one before it is retired. */
    public void started(FaultStatistics core) {
        if (running != null) {
            retired.add(running);
        }
        running = core;
    }

    /** The totals of every core so far, the running one last. */
    public List<FaultCounts> totals() {
        List<FaultCounts> all = new ArrayList<>();
        retired.forEach(c -> all.add(c.totals()));
        all.add(running.totals());
        return all;
    }

    /** The running core's totals. */
    public FaultCounts runningTotals() {
        return running.totals();
    }

    /** Groups the running core holds unanswered. */
    public int pending() {
        return running.pending().size();
    }

    /** The "no handler" count of {@code device} in the running core. */
    public long noHandler(String device) {
        return running.devices().stream().filter(d -> d.device().equals(device))
                .mapToLong(d -> d.counts().noHandler()).sum();
    }
}
