package dev.faultline.smmuv3.internal;

import dev.faultline.api.fault.Pasid;
import dev.faultline.platform.smmuv3.SmmuStatistics;
import java.util.ArrayList;
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

        /** The status of {@code s} (read under the configuration lock). */
        static StreamStatus of(Stream s) {
            List<String> attached = new ArrayList<>();
            s.stage1.forEach((pasid, a) -> attached.add("s1 " + Pasid.format(pasid) + "=" + a.domain().name()));
            if (s.stage2 != null) {
                attached.add("s2=" + s.stage2.domain().name());
            }
            if (s.nested() != null) {
                attached.add("nested=" + s.nested().domain().name());
            }
            return new StreamStatus(s.node.id().toString(), "0x" + Integer.toHexString(s.sid), s.mode.name(),
                    attached.isEmpty() ? "(blocked)" : String.join(", ", attached));
        }
    }
}
