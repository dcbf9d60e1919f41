package dev.faultline.platform.machine;

import org.osgi.annotation.versioning.ConsumerType;

/** Hears about devices appearing on and leaving the machine (hot plug). */
@ConsumerType
public interface TopologyListener {

    /** A device was added. */
    void deviceAdded(DeviceNode node);

    /** A device was removed. */
    void deviceRemoved(DeviceNode node);
}
