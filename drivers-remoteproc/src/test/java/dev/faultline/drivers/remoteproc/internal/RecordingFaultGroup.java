package dev.faultline.drivers.remoteproc.internal;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Fault;
import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.fault.UnrecoverableFault;
import dev.faultline.api.handler.DeferredGroup;
import dev.faultline.api.handler.FaultGroup;
import java.util.ArrayList;
import java.util.List;

/** A one-fault group as the core would hand it over, recording every answer (the first one counts). */
final class RecordingFaultGroup implements FaultGroup {
    private final Fault fault;
    final List<ResponseCode> answers = new ArrayList<>();

    RecordingFaultGroup(Fault fault) {
        this.fault = fault;
    }

    static RecordingFaultGroup unrecoverable(DeviceId device, long address, Permissions access) {
        return new RecordingFaultGroup(UnrecoverableFault.at(device, address, access));
    }

    static RecordingFaultGroup stalled(DeviceId device, int groupId, long address, Permissions access) {
        return new RecordingFaultGroup(PageRequest.last(device, groupId, address, access));
    }

    /** The answer sent, or {@code null}. */
    ResponseCode answer() {
        return answers.isEmpty() ? null : answers.get(0);
    }

    @Override
    public DeviceId device() {
        return fault.device();
    }

    @Override
    public boolean recoverable() {
        return fault.recoverable();
    }

    @Override
    public int size() {
        return 1;
    }

    @Override
    public int pasid() {
        return fault.pasid();
    }

    @Override
    public boolean hasPasid() {
        return fault.pasid() != Pasid.NONE;
    }

    @Override
    public int groupId() {
        return fault instanceof PageRequest p ? p.groupId() : -1;
    }

    @Override
    public long address(int index) {
        return fault.address();
    }

    @Override
    public Permissions permissions(int index) {
        return fault.permissions();
    }

    @Override
    public boolean addressValid() {
        return !(fault instanceof UnrecoverableFault u) || u.addressValid();
    }

    @Override
    public long fetchAddress() {
        return fault instanceof UnrecoverableFault u ? u.fetchAddress() : 0;
    }

    @Override
    public boolean fetchAddressValid() {
        return fault instanceof UnrecoverableFault u && u.fetchAddressValid();
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
        return fault;
    }

    @Override
    public List<Fault> faults() {
        return List.of(fault);
    }

    @Override
    public boolean respond(ResponseCode code) {
        answers.add(code);
        return answers.size() == 1;
    }

    @Override
    public boolean answered() {
        return !answers.isEmpty();
    }

    @Override
    public DeferredGroup defer() {
        throw new UnsupportedOperationException("this double does not defer");
    }
}
