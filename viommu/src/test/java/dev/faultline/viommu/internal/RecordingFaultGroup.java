package dev.faultline.viommu.internal;

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

/**
 * A fault group as the core hands it over, recording what happens to it: every answer (the first counts, later
 * ones are duplicates), whether it was deferred, and {@link #expire()} to play the core answering at the deadline.
 */
final class RecordingFaultGroup implements FaultGroup, DeferredGroup {
    private final List<Fault> faults;
    private final boolean recoverable;
    final List<ResponseCode> answers = new ArrayList<>();
    ResponseCode sent;
    int duplicates;
    boolean deferred;

    private RecordingFaultGroup(List<Fault> faults) {
        this.faults = List.copyOf(faults);
        this.recoverable = faults.get(0).recoverable();
    }

    static RecordingFaultGroup pageRequest(DeviceId device, int groupId, long address, Permissions permissions) {
        return new RecordingFaultGroup(List.of(PageRequest.last(device, groupId, address, permissions)));
    }

    static RecordingFaultGroup pageRequests(PageRequest... requests) {
        return new RecordingFaultGroup(List.of(requests));
    }

    static RecordingFaultGroup unrecoverable(DeviceId device, int pasid, long address, Permissions permissions,
            HardwareRecord record) {
        int flags = UnrecoverableFault.ADDR_VALID | (pasid == Pasid.NONE ? 0 : UnrecoverableFault.PASID_VALID);
        return new RecordingFaultGroup(List.of(
                new UnrecoverableFault(device, flags, pasid, permissions, address, 0, record)));
    }

    static RecordingFaultGroup unrecoverable(UnrecoverableFault fault) {
        return new RecordingFaultGroup(List.of(fault));
    }

    /** The core answers the group at its deadline (INVALID), as if the guest never did. */
    boolean expire() {
        return respond(ResponseCode.INVALID);
    }

    @Override
    public DeviceId device() {
        return last().device();
    }

    @Override
    public boolean recoverable() {
        return recoverable;
    }

    @Override
    public int size() {
        return faults.size();
    }

    @Override
    public int pasid() {
        return last().pasid();
    }

    @Override
    public boolean hasPasid() {
        return last().hasPasid();
    }

    @Override
    public int groupId() {
        return last() instanceof PageRequest r ? r.groupId() : -1;
    }

    @Override
    public long address(int index) {
        return faults.get(index).address();
    }

    @Override
    public Permissions permissions(int index) {
        return faults.get(index).permissions();
    }

    @Override
    public boolean addressValid() {
        return !(last() instanceof UnrecoverableFault u) || u.addressValid();
    }

    @Override
    public long fetchAddress() {
        return last() instanceof UnrecoverableFault u ? u.fetchAddress() : 0;
    }

    @Override
    public boolean fetchAddressValid() {
        return last() instanceof UnrecoverableFault u && u.fetchAddressValid();
    }

    @Override
    public HardwareRecord hardwareRecord() {
        return last() instanceof UnrecoverableFault u ? u.record() : HardwareRecord.NONE;
    }

    @Override
    public long reportedNanos() {
        return 0;
    }

    @Override
    public Fault fault(int index) {
        return faults.get(index);
    }

    @Override
    public List<Fault> faults() {
        return faults;
    }

    @Override
    public long deadlineNanos() {
        return Long.MAX_VALUE;
    }

    @Override
    public synchronized boolean respond(ResponseCode code) {
        answers.add(code);
        if (sent != null) {
            duplicates++;
            return false;
        }
        sent = code;
        return true;
    }

    @Override
    public synchronized boolean answered() {
        return sent != null;
    }

    @Override
    public DeferredGroup defer() {
        if (answered()) {
            throw new IllegalStateException("already answered");
        }
        deferred = true;
        return this;
    }

    private Fault last() {
        return faults.get(faults.size() - 1);
    }

    /** Handed back to the core (the test double only records it). */
    boolean handedBack;

    @Override
    public boolean handBack() {
        if (!answers.isEmpty() || handedBack) {
            return false;
        }
        handedBack = true;
        return true;
    }
}
