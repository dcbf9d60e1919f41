package dev.faultline.console.internal.jmx;

import dev.faultline.api.stats.FaultStatistics;
import dev.faultline.api.stats.IommuStatus;

/** One IOMMU, found by name at each read. */
final class IommuBean implements IommuMXBean {
    private final FaultStatistics statistics;
    private final String name;

    IommuBean(FaultStatistics statistics, String name) {
        this.statistics = statistics;
        this.name = name;
    }

    private IommuStatus status() {
        for (IommuStatus status : statistics.iommus()) {
            if (status.name().equals(name)) {
                return status;
            }
        }
        return IommuStatus.builder().name(name).build();
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public boolean isConnected() {
        return status().connected();
    }

    @Override
    public int getDevices() {
        return status().devices();
    }

    @Override
    public long getFaultRecordOverflows() {
        return status().faultRecordOverflows();
    }

    @Override
    public long getPageRequestOverflows() {
        return status().pageRequestOverflows();
    }
}
