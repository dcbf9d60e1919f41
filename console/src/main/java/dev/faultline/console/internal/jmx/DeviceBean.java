package dev.faultline.console.internal.jmx;

import dev.faultline.api.stats.DeviceStatus;
import dev.faultline.api.stats.FaultCounts;
import dev.faultline.api.stats.FaultStatistics;

/** One device, found by id at each read (a present entry preferred over a removed one of the same id). */
final class DeviceBean extends CountsBean implements DeviceMXBean {
    private final FaultStatistics statistics;
    private final String device;
    private final String backend;

    DeviceBean(FaultStatistics statistics, String device, String backend) {
        this.statistics = statistics;
        this.device = device;
        this.backend = backend;
    }

    private DeviceStatus status() {
        DeviceStatus found = null;
        for (DeviceStatus status : statistics.devices()) {
            if (status.device().equals(device) && (found == null || status.present())) {
                found = status;
            }
        }
        return found;
    }

    @Override
    FaultCounts counts() {
        DeviceStatus status = status();
        return status == null ? null : status.counts();
    }

    @Override
    public String getDevice() {
        return device;
    }

    @Override
    public String getBackend() {
        return backend;
    }

    @Override
    public boolean isPresent() {
        DeviceStatus status = status();
        return status != null && status.present();
    }

    @Override
    public int getPartials() {
        DeviceStatus status = status();
        return status == null ? 0 : status.partials();
    }
}
