package dev.faultline.console.internal.jmx;

import dev.faultline.api.stats.FaultCounts;
import dev.faultline.api.stats.FaultStatistics;
import dev.faultline.api.stats.IommuStatus;

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

    @Override
    public long getHardwareOverflows() {
        return statistics.iommus().stream().mapToLong(IommuStatus::overflows).sum();
    }

    @Override
    public long getAnswerLatencySamples() {
        return statistics.answerLatency().samples();
    }

    @Override
    public long getAnswerLatencyP50Nanos() {
        return statistics.answerLatency().p50Nanos();
    }

    @Override
    public long getAnswerLatencyP99Nanos() {
        return statistics.answerLatency().p99Nanos();
    }

    @Override
    public long getAnswerLatencyMaxNanos() {
        return statistics.answerLatency().maxNanos();
    }
}
