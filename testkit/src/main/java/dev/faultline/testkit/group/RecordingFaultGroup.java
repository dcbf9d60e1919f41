package dev.faultline.testkit.group;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Fault;
import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.PageRequestGroup;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.fault.UnrecoverableFault;
import dev.faultline.api.handler.DeferredGroup;
import dev.faultline.api.handler.FaultGroup;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * A {@link FaultGroup} as the core hands it to a handler, for unit tests of a handler without a core: it
 * records every answer, from any thread, and what the handler did with the group (answered, deferred, handed
 * back). As the core does, the first answer counts ({@code respond} returns {@code true}) and each later one is
 * refused ({@code false}) and counted as a duplicate; {@link #expire()} plays the core answering at the
 * deadline.
 *
 * <pre>{@code
 * RecordingFaultGroup group = RecordingFaultGroup.pageRequest(device, 1, 7, 0x4000, Permissions.WRITE);
 * handler.handle(group);
 * assertThat(group.answer()).contains(ResponseCode.SUCCESS);
 * assertThat(group.duplicates()).isZero();
 * }</pre>
 *
 * <p>Answering allocates nothing (the first {@value #KEPT} answers and their threads' names are kept in place), so
 * a handler's zero-allocation test can use it. The group is reported at {@link System#nanoTime()} when built, with
 * a deadline ten seconds later, unless {@link #reportedAt} and {@link #deadlineAfter} say otherwise (for example
 * from a {@link dev.faultline.testkit.clock.ManualClock}).
 */
public final class RecordingFaultGroup implements FaultGroup {
    /** How many answers (and answering threads) are kept; later ones are only counted. */
    public static final int KEPT = 16;
    private static final long DEFAULT_DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final List<Fault> faults;
    private final Fault last;
    private final ResponseCode[] answers = new ResponseCode[KEPT];
    private final String[] threads = new String[KEPT];
    private final CountDownLatch firstAnswer = new CountDownLatch(1);
    private final Deferred deferredHandle = new Deferred();
    private int answerCount;
    private long reportedNanos;
    private long deadlineNanos;
    private volatile boolean deferred;
    private volatile boolean handedBack;
    private RecordingTokens tokens = new RecordingTokens();

    private RecordingFaultGroup(List<? extends Fault> faults) {
        if (faults.isEmpty()) {
            throw new IllegalArgumentException("a group has at least one fault");
        }
        this.faults = List.copyOf(faults);
        this.last = this.faults.get(this.faults.size() - 1);
        this.reportedNanos = System.nanoTime();
        this.deadlineNanos = reportedNanos + DEFAULT_DEADLINE_NANOS;
    }

    /** A page request group; its last request is the last of the list. */
    public static RecordingFaultGroup of(PageRequestGroup group) {
        return new RecordingFaultGroup(group.requests());
    }

    /** A page request group made of these requests, the last one last. */
    public static RecordingFaultGroup pageRequests(PageRequest... requests) {
        return new RecordingFaultGroup(List.of(requests));
    }

    /**
     * A group of one last-page request.
     *
     * @param pasid the PASID, or {@link dev.faultline.api.fault.Pasid#NONE}
     * @param groupId the group index (PRGI, STAG)
     */
    public static RecordingFaultGroup pageRequest(DeviceId device, int pasid, int groupId, long address,
            Permissions permissions) {
        PageRequest request = PageRequest.last(device, groupId, address, permissions);
        return pageRequests(pasid >= 0 ? request.withPasid(pasid, false) : request);
    }

    /** One unrecoverable fault. */
    public static RecordingFaultGroup unrecoverable(UnrecoverableFault fault) {
        return new RecordingFaultGroup(List.of(fault));
    }

    /**
     * One unrecoverable fault at a valid {@code address}, without fetch address.
     *
     * @param pasid the PASID, or {@link dev.faultline.api.fault.Pasid#NONE}
     * @param record the raw hardware record, or {@link HardwareRecord#NONE}
     */
    public static RecordingFaultGroup unrecoverable(DeviceId device, int pasid, long address, Permissions permissions,
            HardwareRecord record) {
        int flags = UnrecoverableFault.ADDR_VALID | (pasid >= 0 ? UnrecoverableFault.PASID_VALID : 0);
        return unrecoverable(new UnrecoverableFault(device, flags, pasid, permissions, address, 0, record));
    }

    /** One unrecoverable fault of {@code device} at a valid {@code address}, without PASID or fetch address. */
    public static RecordingFaultGroup unrecoverable(DeviceId device, long address, Permissions permissions) {
        return unrecoverable(UnrecoverableFault.at(device, address, permissions));
    }

    /**
     * Sets when the core received the group ({@link #reportedNanos()}) and moves the deadline with it.
     *
     * @return this group
     */
    public synchronized RecordingFaultGroup reportedAt(long nanos) {
        long window = deadlineNanos - reportedNanos;
        this.reportedNanos = nanos;
        this.deadlineNanos = nanos + window;
        return this;
    }

    /** Sets the report time from a clock, such as a {@code ManualClock}. */
    public RecordingFaultGroup reportedAt(LongSupplier clock) {
        return reportedAt(clock.getAsLong());
    }

    /**
     * Sets the deadline of the deferred group, {@code window} after the report time.
     *
     * @return this group
     */
    public synchronized RecordingFaultGroup deadlineAfter(Duration window) {
        this.deadlineNanos = reportedNanos + window.toNanos();
        return this;
    }

    /**
     * Makes this group's {@link #deferToken() token} one of {@code shared}, for a handler that keeps the
     * {@link #tokens()} of its first group and answers later groups through it.
     *
     * @return this group
     * @since 1.1
     */
    public synchronized RecordingFaultGroup usingTokens(RecordingTokens shared) {
        this.tokens = Objects.requireNonNull(shared, "tokens");
        return this;
    }

    /** Removes the deadline, as for a handler registered with {@code faultline.timeout.ms = -1}. */
    public synchronized RecordingFaultGroup noDeadline() {
        this.deadlineNanos = Long.MAX_VALUE;
        return this;
    }

    /** The answers given, in order (at most {@value #KEPT}); the first is the one the core would send. */
    public synchronized List<ResponseCode> answers() {
        return List.of(Arrays.copyOf(answers, Math.min(answerCount, KEPT)));
    }

    /** The answer the core would send: the first one, if any. */
    public synchronized Optional<ResponseCode> answer() {
        return Optional.ofNullable(answers[0]);
    }

    /** How many times {@code respond} was called, first answer included. */
    public synchronized int answerCount() {
        return answerCount;
    }

    /** Answers refused because the group was already answered. */
    public synchronized int duplicates() {
        return Math.max(0, answerCount - 1);
    }

    /** The names of the threads that answered, in order (at most {@value #KEPT}). */
    public synchronized List<String> answeringThreads() {
        return List.of(Arrays.copyOf(threads, Math.min(answerCount, KEPT)));
    }

    /** Whether the handler called {@link #defer()} or {@link #deferToken()}. */
    public boolean deferred() {
        return deferred;
    }

    /** Whether the handler handed the deferred group back to the core ({@link DeferredGroup#handBack()}). */
    public boolean handedBack() {
        return handedBack;
    }

    /**
     * Waits for the first answer, for a handler that answers from another thread.
     *
     * @return whether it came within {@code timeout}
     */
    public boolean awaitAnswer(Duration timeout) throws InterruptedException {
        return firstAnswer.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * The core answers the group at its deadline ({@code INVALID}), as it does when the handler never does.
     *
     * @return whether this was the first answer
     */
    public boolean expire() {
        return respond(ResponseCode.INVALID);
    }

    @Override
    public DeviceId device() {
        return last.device();
    }

    @Override
    public boolean recoverable() {
        return last.recoverable();
    }

    @Override
    public int size() {
        return faults.size();
    }

    @Override
    public int pasid() {
        return last.pasid();
    }

    @Override
    public boolean hasPasid() {
        return last.hasPasid();
    }

    @Override
    public int groupId() {
        return last instanceof PageRequest p ? p.groupId() : -1;
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
        return !(last instanceof UnrecoverableFault u) || u.addressValid();
    }

    @Override
    public long fetchAddress() {
        return last instanceof UnrecoverableFault u ? u.fetchAddress() : 0;
    }

    @Override
    public boolean fetchAddressValid() {
        return last instanceof UnrecoverableFault u && u.fetchAddressValid();
    }

    @Override
    public HardwareRecord hardwareRecord() {
        return last instanceof UnrecoverableFault u ? u.record() : HardwareRecord.NONE;
    }

    @Override
    public synchronized long reportedNanos() {
        return reportedNanos;
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
        if (answerCount < KEPT) {
            answers[answerCount] = code;
            threads[answerCount] = Thread.currentThread().getName();
        }
        answerCount++;
        firstAnswer.countDown();
        return answerCount == 1;
    }

    @Override
    public synchronized boolean answered() {
        return answerCount > 0;
    }

    /**
     * Defers the group, as the core allows a handler to: the returned handle answers this same group.
     *
     * @throws IllegalStateException if the group was already answered, as the core throws
     */
    @Override
    public synchronized DeferredGroup defer() {
        if (answerCount > 0) {
            throw new IllegalStateException("group already answered");
        }
        deferred = true;
        return deferredHandle;
    }

    /**
     * Defers the group by token, as the core allows a handler to: the token answers this same group through
     * {@link #tokens()}.
     *
     * @throws IllegalStateException if the group was already answered, as the core throws
     */
    @Override
    public long deferToken() {
        RecordingTokens t;
        synchronized (this) {
            if (answerCount > 0) {
                throw new IllegalStateException("group already answered");
            }
            deferred = true;
            t = tokens;
        }
        return t.tokenOf(this);
    }

    @Override
    public synchronized RecordingTokens tokens() {
        return tokens;
    }

    /** The deadline of the deferred group ({@link DeferredGroup#deadlineNanos()}). */
    synchronized long deadlineNanos() {
        return deadlineNanos;
    }

    /** Hands the deferred group back unanswered; {@code false} if it was answered or handed back already. */
    synchronized boolean handBackDeferred() {
        if (handedBack || answerCount > 0) {
            return false;
        }
        handedBack = true;
        return true;
    }

    @Override
    public String toString() {
        @Nullable ResponseCode first;
        synchronized (this) {
            first = answers[0];
        }
        return "RecordingFaultGroup[" + last + ", answer " + (first == null ? "none" : first) + "]";
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
            return RecordingFaultGroup.this.deadlineNanos();
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
            return handBackDeferred();
        }
    }
}
