package dev.faultline.console.internal.jmx;

import dev.faultline.api.stats.AnswerLatency;
import dev.faultline.api.stats.FaultCounts;
import dev.faultline.api.stats.FaultStatistics;
import dev.faultline.api.stats.HandlerStatus;
import dev.faultline.core.control.HandlerControl;
import java.util.List;
import java.util.function.Supplier;

/** One handler registration, found by service id at each read; its fixed properties are kept from registration. */
final class HandlerBean extends CountsBean implements HandlerMXBean {
    private final FaultStatistics statistics;
    private final HandlerStatus registered;
    private final Supplier<HandlerControl> control;

    HandlerBean(FaultStatistics statistics, HandlerStatus registered, Supplier<HandlerControl> control) {
        this.statistics = statistics;
        this.registered = registered;
        this.control = control;
    }

    @Override
    public String release() {
        HandlerControl c = control.get();
        if (c == null) {
            return "no core to release it (the HandlerControl service is gone)";
        }
        List<HandlerStatus> released = c.release(Long.toString(registered.serviceId()));
        return released.isEmpty() ? "not quarantined: " + getState() : released.get(0).state().name();
    }

    private HandlerStatus status() {
        for (HandlerStatus status : statistics.handlers()) {
            if (status.serviceId() == registered.serviceId()) {
                return status;
            }
        }
        return null;
    }

    @Override
    FaultCounts counts() {
        HandlerStatus status = status();
        return status == null ? null : status.counts();
    }

    private AnswerLatency latency() {
        HandlerStatus status = status();
        return status == null ? AnswerLatency.none() : status.answerLatency();
    }

    @Override
    public long getAnswerLatencySamples() {
        return latency().samples();
    }

    @Override
    public long getAnswerLatencyP50Nanos() {
        return latency().p50Nanos();
    }

    @Override
    public long getAnswerLatencyP99Nanos() {
        return latency().p99Nanos();
    }

    @Override
    public long getAnswerLatencyMaxNanos() {
        return latency().maxNanos();
    }

    @Override
    public String getName() {
        return registered.name();
    }

    @Override
    public String getBundle() {
        return registered.bundle();
    }

    @Override
    public long getServiceId() {
        return registered.serviceId();
    }

    @Override
    public String getState() {
        HandlerStatus status = status();
        return status == null ? "UNREGISTERED" : status.state().name();
    }

    @Override
    public String getDispatch() {
        return registered.dispatch();
    }

    @Override
    public long getDeadlineMillis() {
        return registered.timeoutMillis();
    }

    @Override
    public String[] getDomains() {
        return registered.domains().toArray(String[]::new);
    }

    @Override
    public String[] getDevices() {
        return registered.devices().toArray(String[]::new);
    }
}
