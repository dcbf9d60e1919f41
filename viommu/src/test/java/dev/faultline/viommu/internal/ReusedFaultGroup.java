package dev.faultline.viommu.internal;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Fault;
import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.DeferredGroup;
import dev.faultline.api.handler.DeferredTokens;
import dev.faultline.api.handler.FaultGroup;
import java.util.List;

/**
 * One group object reused for fault after fault, as the core's slots are, counting answers without allocating;
 * refuses to be deferred (a dropped fault must not be).
 */
final class ReusedFaultGroup implements FaultGroup {
    private final DeviceId device;
    boolean recoverable;
    long address;
    long answers;
    long invalidAnswers;
    private boolean answered;

    ReusedFaultGroup(DeviceId device) {
        this.device = device;
    }

    /** Makes the object the next fault. */
    ReusedFaultGroup next(boolean isRecoverable, long faultAddress) {
        recoverable = isRecoverable;
        address = faultAddress;
        answered = false;
        return this;
    }

    @Override
    public DeviceId device() {
        return device;
    }

    @Override
    public boolean recoverable() {
        return recoverable;
    }

    @Override
    public int size() {
        return 1;
    }

    @Override
    public int pasid() {
        return Pasid.NONE;
    }

    @Override
    public boolean hasPasid() {
        return false;
    }

    @Override
    public int groupId() {
        return recoverable ? 1 : -1;
    }

    @Override
    public long address(int index) {
        return address;
    }

    @Override
    public Permissions permissions(int index) {
        return Permissions.READ;
    }

    @Override
    public boolean addressValid() {
        return true;
    }

    @Override
    public long fetchAddress() {
        return 0;
    }

    @Override
    public boolean fetchAddressValid() {
        return false;
    }

    @Override
    public HardwareRecord hardwareRecord() {
        return HardwareRecord.NONE;
    }

    @Override
    public long reportedNanos() {
        return 0;
    }

    @Override
    public Fault fault(int index) {
        throw new UnsupportedOperationException("a dropped fault is never copied");
    }

    @Override
    public List<Fault> faults() {
        throw new UnsupportedOperationException("a dropped fault is never copied");
    }

    @Override
    public boolean respond(ResponseCode code) {
        if (answered) {
            return false;
        }
        answered = true;
        answers++;
        if (code == ResponseCode.INVALID) {
            invalidAnswers++;
        }
        return true;
    }

    @Override
    public boolean answered() {
        return answered;
    }

    @Override
    public DeferredGroup defer() {
        throw new UnsupportedOperationException("a dropped fault is never deferred");
    }

    @Override
    public long deferToken() {
        throw new UnsupportedOperationException("a dropped fault is never deferred");
    }

    @Override
    public DeferredTokens tokens() {
        throw new UnsupportedOperationException("a dropped fault is never deferred");
    }
}
