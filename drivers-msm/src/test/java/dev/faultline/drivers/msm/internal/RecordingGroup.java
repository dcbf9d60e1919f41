package dev.faultline.drivers.msm.internal;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Fault;
import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.fault.UnrecoverableFault;
import dev.faultline.api.handler.DeferredGroup;
import dev.faultline.api.handler.FaultGroup;
import java.util.ArrayList;
import java.util.List;

/** A group of one fault, as the core hands it to a handler, keeping every answer given (the first counts). */
final class RecordingGroup implements FaultGroup {
    private final Fault fault;
    final List<ResponseCode> answers = new ArrayList<>();

    private RecordingGroup(Fault fault) {
        this.fault = fault;
    }

    /** A stalled access (SMMUv3 reports it as a last-page request with the STAG as group id). */
    static RecordingGroup stalled(DeviceId device, int pasid, int stag, long address, Permissions access) {
        return new RecordingGroup(PageRequest.last(device, stag, address, access).withPasid(pasid, false));
    }

    /** A terminated access. */
    static RecordingGroup terminated(DeviceId device, int pasid, long address, Permissions access, long fetch) {
        int flags = UnrecoverableFault.ADDR_VALID | (pasid >= 0 ? UnrecoverableFault.PASID_VALID : 0)
                | (fetch != 0 ? UnrecoverableFault.FETCH_ADDR_VALID : 0);
        return new RecordingGroup(new UnrecoverableFault(device, flags, pasid, access, address, fetch,
                HardwareRecord.NONE));
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
        return fault.hasPasid();
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
        return true;
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
        throw new UnsupportedOperationException("answer inline");
    }
}
