package dev.faultline.smmuv3.internal;

import dev.faultline.platform.smmuv3.SmmuStatistics;
import java.util.List;

/**
 * One SMMU as the shell shows it.
 *
 * @param name the SMMU
 * @param streams its devices: id, StreamID, fault mode and what is attached
 * @param stalled transactions the hardware holds stalled now
 * @param driver the driver's counters
 * @param hardware the hardware's counters
 */
public record SmmuStatus(String name, List<StreamStatus> streams, int stalled, DriverStatistics driver,
        SmmuStatistics hardware) {

    /**
     * One device's stream.
     *
     * @param device the device id
     * @param streamId its StreamID
     * @param mode TERMINATE, STALL or PRI
     * @param attached what is attached, e.g. {@code s1 none=gpu0, s1 0x3=ctx3, s2=vm1-s2, nested=vm1-vf0}
     */
    public record StreamStatus(String device, String streamId, String mode, String attached) {
    }
}
