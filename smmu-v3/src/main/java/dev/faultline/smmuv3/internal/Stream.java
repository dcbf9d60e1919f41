package dev.faultline.smmuv3.internal;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.Domain;
import dev.faultline.platform.machine.DeviceNode;
import dev.faultline.smmuv3.GuestStage1;
import dev.faultline.smmuv3.Stage1Tables;
import dev.faultline.smmuv3.Stage2Tables;
import java.util.Map;
import java.util.TreeMap;

/**
 * One device's stream as the driver sees it: its firmware node, fault mode, port in the core and what is
 * attached. Configuration fields change under the driver's lock; the fault thread reads the volatile ones.
 */
final class Stream {
    /** A stage-1 attachment: one CD. */
    record Stage1(Domain domain, Stage1Tables tables, int asid) {
    }

    /** The stage-2 attachment. */
    record Stage2(Domain domain, Stage2Tables tables, int vmid) {
    }

    /** A guest-owned stage 1 over a host stage 2. */
    record Nested(Domain domain, GuestStage1 guest, Stage2Tables tables, int vmid) {
    }

    final DeviceNode node;
    final int sid;
    final FaultMode mode;
    final DevicePort port;
    final Map<Integer, Stage1> stage1 = new TreeMap<>();
    Stage2 stage2;
    ContextTable contexts;
    /**
     * Whether software switched stall-on-fault off ({@link dev.faultline.smmuv3.SmmuDomains#setStall}): the STE
     * and CDs are then those of a terminating device.
     */
    boolean stallOff;
    /** Whether a guest owns the stream's stage 1 (its stage-1 faults are the guest's). */
    volatile boolean guestOwned;
    /** The device name Linux would print as {@code client:}. */
    final String client;

    private volatile Nested nested;

    Stream(DeviceNode node, FaultMode mode, DevicePort port) {
        this.node = node;
        this.sid = node.requesterId();
        this.mode = mode;
        this.port = port;
        this.client = node.id() instanceof dev.faultline.api.fault.PlatformDeviceName p ? p.name()
                : node.id().toString();
    }

    /** Whether the stream's translation faults stall now: a stall device whose stall is not switched off. */
    boolean stalls() {
        return mode == FaultMode.STALL && !stallOff;
    }

    Nested nested() {
        return nested;
    }

    void nested(Nested value) {
        nested = value;
        guestOwned = value != null;
    }
}
