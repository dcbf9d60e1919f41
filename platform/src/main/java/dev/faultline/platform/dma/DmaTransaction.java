package dev.faultline.platform.dma;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One access in flight between a device and its IOMMU. The IOMMU completes it exactly once
 * ({@link #translate}, {@link #noTranslation}, {@link #abort}, {@link #terminateRazWi}), possibly after holding
 * it {@link #stall() stalled}, from any thread; the device waits for it or registers a listener.
 *
 * <p>A device may reuse a transaction as a PCIe requester reuses its tag: once final, {@link #reopen()} makes it
 * pending again for the same access, and {@link TranslationPort#issue(DmaTransaction)} presents it anew. A port
 * {@link #admit() admits} a transaction only while it is not in flight, so one transaction is never at two places
 * at once; an IOMMU keeps no reference to a transaction once it is final.
 *
 * <p>Thread-safe.
 */
public final class DmaTransaction {
    private final DmaAccess access;
    /** The first listener waiting for the final outcome (most transactions have none or one). */
    private @Nullable Consumer<DmaTransaction> listener;
    /** Further listeners; created by the second one. */
    private @Nullable List<Consumer<DmaTransaction>> moreListeners;
    private TranslationOutcome outcome = TranslationOutcome.PENDING;
    private long physicalAddress;
    private int stalls;
    /** Whether a port admitted the transaction since it was created or last reopened. */
    private boolean admitted;

    /** A pending transaction for {@code access}. */
    public DmaTransaction(DmaAccess access) {
        this.access = Objects.requireNonNull(access, "access");
    }

    /** The access. */
    public DmaAccess access() {
        return access;
    }

    /** Where the transaction stands now. */
    public synchronized TranslationOutcome outcome() {
        return outcome;
    }

    /** The physical address of the access once {@link TranslationOutcome#TRANSLATED}; else 0. */
    public synchronized long physicalAddress() {
        return physicalAddress;
    }

    /** How many times the IOMMU stalled this transaction (each retry that faults again stalls anew). */
    public synchronized int stalls() {
        return stalls;
    }

    /**
     * IOMMU side: takes the transaction in at the port, before translating it. A transaction is admitted once
     * between its creation (or {@link #reopen()}) and its final outcome.
     *
     * @throws IllegalStateException if a port already admitted it: it is in flight, or final and not reopened
     * @since 1.1
     */
    public synchronized void admit() {
        if (admitted || outcome != TranslationOutcome.PENDING) {
            throw new IllegalStateException(outcome.isFinal()
                    ? "issue of a transaction already " + outcome + ": reopen it first"
                    : "issue of a transaction still in flight (" + outcome + ")");
        }
        admitted = true;
    }

    /**
     * Device side: makes a final transaction pending again for the same access, as a new one would be (no outcome,
     * address 0, no stalls, no listeners), ready to be issued again; what it was is gone. Reopen only once whatever
     * watched the last outcome is done with it.
     *
     * @return this transaction
     * @throws IllegalStateException if the transaction is not final (pending or stalled at its IOMMU)
     * @since 1.1
     */
    public synchronized DmaTransaction reopen() {
        if (!outcome.isFinal()) {
            throw new IllegalStateException("reopen of a transaction still " + outcome + ": only a final one reopens");
        }
        outcome = TranslationOutcome.PENDING;
        physicalAddress = 0;
        stalls = 0;
        listener = null;
        moreListeners = null;
        admitted = false;
        return this;
    }

    /**
     * IOMMU side: holds the transaction until software answers.
     *
     * @throws IllegalStateException if the transaction already completed
     */
    public synchronized void stall() {
        requireOpen("stall");
        outcome = TranslationOutcome.STALLED;
        stalls++;
    }

    /**
     * IOMMU side: a stalled transaction is being retried (it is pending again until the retry completes).
     *
     * @throws IllegalStateException if the transaction is not stalled
     */
    public synchronized void retry() {
        if (outcome != TranslationOutcome.STALLED) {
            throw new IllegalStateException("retry of a transaction that is " + outcome + ", not STALLED");
        }
        outcome = TranslationOutcome.PENDING;
    }

    /** IOMMU side: the access translated to {@code address}. */
    public void translate(long address) {
        complete(TranslationOutcome.TRANSLATED, address);
    }

    /** IOMMU side: an ATS translation request granted nothing. */
    public void noTranslation() {
        complete(TranslationOutcome.NO_TRANSLATION, 0);
    }

    /** IOMMU side: the access is terminated with an abort. */
    public void abort() {
        complete(TranslationOutcome.ABORTED, 0);
    }

    /** IOMMU side: the access is terminated as read-as-zero / write-ignored. */
    public void terminateRazWi() {
        complete(TranslationOutcome.RAZ_WI, 0);
    }

    /**
     * Calls {@code listener} once the transaction is final: at once (on this thread) if it already is,
     * else on the thread that completes it.
     */
    public void whenComplete(Consumer<DmaTransaction> listener) {
        Objects.requireNonNull(listener, "listener");
        synchronized (this) {
            if (!outcome.isFinal()) {
                if (this.listener == null) {
                    this.listener = listener;
                } else {
                    if (moreListeners == null) {
                        moreListeners = new ArrayList<>(1);
                    }
                    moreListeners.add(listener);
                }
                return;
            }
        }
        listener.accept(this);
    }

    /**
     * Waits until the transaction is final or the timeout passes.
     *
     * @return the outcome (still {@code PENDING} or {@code STALLED} on timeout)
     * @throws InterruptedException if interrupted while waiting
     */
    public synchronized TranslationOutcome await(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (!outcome.isFinal()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return outcome;
    }

    private void complete(TranslationOutcome finalOutcome, long address) {
        @Nullable Consumer<DmaTransaction> first;
        @Nullable List<Consumer<DmaTransaction>> toCall;
        synchronized (this) {
            requireOpen(finalOutcome.name());
            outcome = finalOutcome;
            physicalAddress = address;
            notifyAll();
            first = listener;
            toCall = moreListeners;
            listener = null;
            moreListeners = null;
        }
        if (first != null) {
            first.accept(this);
        }
        for (int i = 0; toCall != null && i < toCall.size(); i++) {
            toCall.get(i).accept(this);
        }
    }

    private void requireOpen(String what) {
        if (outcome.isFinal()) {
            throw new IllegalStateException(what + " of a transaction already " + outcome);
        }
    }

    @Override
    public synchronized String toString() {
        return "DmaTransaction[" + access + " " + outcome
                + (outcome == TranslationOutcome.TRANSLATED ? String.format(" -> 0x%x", physicalAddress) : "") + "]";
    }
}
