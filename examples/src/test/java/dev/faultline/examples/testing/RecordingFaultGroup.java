package dev.faultline.examples.testing;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Fault;
import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.PageRequestGroup;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.fault.UnrecoverableFault;
import dev.faultline.api.handler.DeferredGroup;
import dev.faultline.api.handler.FaultGroup;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A {@link FaultGroup} as the core would hand it to a handler, recording every answer, first and later ones,
 * from any thread. Answers after the first are refused, as the core refuses them.
 */
public final class RecordingFaultGroup implements FaultGroup {
    private final List<Fault> faults;
    private final List<ResponseCode> answers = new CopyOnWriteArrayList<>();
    private final List<String> answeringThreads = new CopyOnWriteArrayList<>();
    private final CountDownLatch firstAnswer = new CountDownLatch(1);
    private final long deadlineNanos;
    private volatile Deferred deferred;

    private RecordingFaultGroup(List<Fault> faults, long deadlineNanos) {
        this.faults = List.copyOf(faults);
        this.deadlineNanos = deadlineNanos;
    }

    /** A page request group. */
    public static RecordingFaultGroup of(PageRequestGroup group) {
        return new RecordingFaultGroup(List.copyOf(group.requests()), System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
    }

    /** A group of one last-page request. */
    public static RecordingFaultGroup pageRequest(DeviceId device, int pasid, long address, Permissions permissions) {
        return of(PageRequestGroup.of(PageRequest.last(device, 7, address, permissions).withPasid(pasid, false)));
    }

    /** One unrecoverable fault. */
    public static RecordingFaultGroup unrecoverable(UnrecoverableFault fault) {
        return new RecordingFaultGroup(List.of(fault), System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
    }

    /** The answers given, in order; the first is the one the core would send. */
    public List<ResponseCode> answers() {
        return List.copyOf(answers);
    }

    /** The names of the threads that answered, in order. */
    public List<String> answeringThreads() {
        return List.copyOf(answeringThreads);
    }

    /** Whether {@link #defer()} was called. */
    public boolean deferred() {
        return deferred != null;
    }

    /**
     * Waits for the first answer.
     *
     * @return whether it came within {@code seconds}
     */
    public boolean awaitAnswer(long seconds) throws InterruptedException {
        return firstAnswer.await(seconds, TimeUnit.SECONDS);
    }

    private Fault last() {
        return faults.get(faults.size() - 1);
    }

    @Override
    public DeviceId device() {
        return last().device();
    }

    @Override
    public boolean recoverable() {
        return last().recoverable();
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
        return last().pasid() != Pasid.NONE;
    }

    @Override
    public int groupId() {
        return last() instanceof PageRequest p ? p.groupId() : -1;
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
        return deadlineNanos - TimeUnit.SECONDS.toNanos(10);
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
    public synchronized boolean respond(ResponseCode code) {
        answers.add(code);
        answeringThreads.add(Thread.currentThread().getName());
        boolean first = answers.size() == 1;
        firstAnswer.countDown();
        return first;
    }

    @Override
    public boolean answered() {
        return !answers.isEmpty();
    }

    @Override
    public synchronized DeferredGroup defer() {
        if (answered()) {
            throw new IllegalStateException("group already answered");
        }
        if (deferred == null) {
            deferred = new Deferred();
        }
        return deferred;
    }

    /** The deferred handle: answers go to the same record. */
    private final class Deferred implements DeferredGroup {
        @Override
        public DeviceId device() {
            return RecordingFaultGroup.this.device();
        }

        @Override
        public boolean recoverable() {
            return RecordingFaultGroup.this.recoverable();
        }

        @Override
        public int groupId() {
            return RecordingFaultGroup.this.groupId();
        }

        @Override
        public List<Fault> faults() {
            return faults;
        }

        @Override
        public long deadlineNanos() {
            return deadlineNanos;
        }

        @Override
        public boolean respond(ResponseCode code) {
            return RecordingFaultGroup.this.respond(code);
        }

        @Override
        public boolean answered() {
            return RecordingFaultGroup.this.answered();
        }

        @Override
        public boolean handBack() {
            if (handedBack || RecordingFaultGroup.this.answered()) {
                return false;
            }
            handedBack = true;
            return true;
        }
    }

    private volatile boolean handedBack;

    /** Whether the deferred handle was handed back to the core. */
    public boolean handedBack() {
        return handedBack;
    }
}
