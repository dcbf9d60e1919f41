package dev.faultline.viommu.internal;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.viommu.Stage1Context;
import java.util.HashMap;
import java.util.Map;

/**
 * A host device as a guest sees it: its virtual id and the stage-1 context the guest set per PASID.
 * Not thread-safe: the guest's lock guards it.
 */
final class VirtualDevice {
    final DeviceId physical;
    final int virtualId;
    private final Map<Integer, Stage1Context> contexts = new HashMap<>();

    VirtualDevice(DeviceId physical, int virtualId) {
        this.physical = physical;
        this.virtualId = virtualId;
    }

    Stage1Context context(int pasid) {
        return contexts.get(pasid);
    }

    void setContext(int pasid, Stage1Context context) {
        contexts.put(pasid, context);
    }

    void clearContext(int pasid) {
        contexts.remove(pasid);
    }
}
