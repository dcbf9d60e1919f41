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
import java.util.List;

/**
 * A one-fault group as the core would hand it over, counting every answer (the first one counts) and keeping
 * the first few; answering allocates nothing.
 */
final class RecordingFaultGroup implements FaultGroup {
    private static final int KEPT = 8;
    private final Fault fault;
    private final ResponseCode[] kept = new ResponseCode[KEPT];
    private int answerCount;

    RecordingFaultGroup(Fault fault) {
        this.fault = fault;
    }

    static RecordingFaultGroup unrecoverable(DeviceId device, long address, Permissions access) {
        return new RecordingFaultGroup(UnrecoverableFault.at(device, address, access));
    }

    static RecordingFaultGroup stalled(DeviceId device, int groupId, long address, Permissions access) {
        return new RecordingFaultGroup(PageRequest.last(device, groupId, address, access));
    }

    /** The first answers given, in order (at most eight). */
    List<ResponseCode> answers() {
        return List.of(java.util.Arrays.copyOf(kept, Math.min(answerCount, KEPT)));
    }

    /** How many answers were given. */
    int answerCount() {
        return answerCount;
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
        if (answerCount < KEPT) {
            kept[answerCount] = code;
        }
        answerCount++;
        return answerCount == 1;
    }

    @Override
    public boolean answered() {
        return answerCount > 0;
    }

    @Override
    public DeferredGroup defer() {
        throw new UnsupportedOperationException("this double does not defer");
    }
}
