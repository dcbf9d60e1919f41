package dev.faultline.console.internal.jmx;

import dev.faultline.api.stats.FaultCounts;
import dev.faultline.api.stats.FaultStatistics;

/** The core's totals. */
final class CoreBean extends CountsBean implements CoreMXBean {
    private final FaultStatistics statistics;

    CoreBean(FaultStatistics statistics) {
        this.statistics = statistics;
    }

    @Override
    FaultCounts counts() {
        return statistics.totals();
    }

    @Override
    public int getDeviceCount() {
        return statistics.devices().size();
    }

    @Override
    public int getHandlerCount() {
        return statistics.handlers().size();
    }

    @Override
    public int getPendingGroupCount() {
        return statistics.pending().size();
    }
}
