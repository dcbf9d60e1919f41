package dev.faultline.soak;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.platform.dma.PrgResponseMessage;
import dev.faultline.platform.dma.PrgResponseReceiver;
import dev.faultline.platform.dma.TranslationPort;
import java.util.concurrent.TimeUnit;

/**
 * A PCIe function with PRI, as the IOMMU sees it: sends page request groups (a few pages, the last one marked L)
 * as raw messages and keeps the device's own ledger of them, which is what the soak checks exactly-once against:
 * a response for an index with no group outstanding is counted as a duplicate, and a group never answered stays
 * outstanding. At most {@code window} groups are outstanding at once. Thread-safe; responses may arrive on any
 * thread, including the sender's own (an IOMMU answering by itself on overflow).
 */
final class PriFunction implements PrgResponseReceiver {
    final DeviceId id;
    final int requesterId;
    final int pasid;
    private final TranslationPort port;
    private final int window;
    private final PrgIndices indices = new PrgIndices();
    private final long[] answers = new long[16];
    private long groups;
    private long pages;
    private long duplicates;
    private long pasidMismatches;

    PriFunction(DeviceId id, int requesterId, int pasid, TranslationPort port, int window) {
        this.id = id;
        this.requesterId = requesterId;
        this.pasid = pasid;
        this.port = port;
        this.window = window;
        port.connect(requesterId, this);
    }

    /**
     * Sends one group of {@code count} pages from {@code firstPage}, once fewer than {@code window} groups are
     * outstanding.
     *
     * @return {@code false} if the window did not open before the deadline (answers are overdue)
     * @throws InterruptedException if interrupted while waiting for the window
     */
    boolean send(long firstPage, int count, long deadlineNanos) throws InterruptedException {
        int index;
        synchronized (this) {
            while (indices.outstanding() >= window) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            index = indices.take();
            groups++;
            pages += count;
        }
        // outside the lock: the IOMMU may answer on this thread while holding its own lock
        PrgIndices.send(port, requesterId, pasid, index, firstPage, count);
        return true;
    }

    @Override
    public void receive(PrgResponseMessage response) {
        synchronized (this) {
            if (!indices.answer(response.prgIndex())) {
                duplicates++;
                return;
            }
            answers[response.responseCode()]++;
            if (response.hasPasid() && response.pasid() != pasid) {
                pasidMismatches++;
            }
            notifyAll();
        }
    }

    /**
     * Waits until every group sent has its answer.
     *
     * @return whether they all came before the deadline
     * @throws InterruptedException if interrupted
     */
    synchronized boolean awaitAnswers(long deadlineNanos) throws InterruptedException {
        while (indices.outstanding() > 0) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    /** The device's ledger now. */
    synchronized Ledger ledger() {
        return new Ledger(groups, pages, answers.clone(), indices.outstanding(), duplicates, pasidMismatches);
    }

    /**
     * What the function sent and heard.
     *
     * @param groups page request groups sent
     * @param pages page requests sent (the groups' pages)
     * @param answers responses received, by 4-bit PCIe code
     * @param outstanding groups without an answer
     * @param duplicates responses for an index with no group outstanding
     * @param pasidMismatches responses carrying another PASID than the request
     */
    record Ledger(long groups, long pages, long[] answers, int outstanding, long duplicates, long pasidMismatches) {
        /** Responses received. */
        long answered() {
            long sum = 0;
            for (long a : answers) {
                sum += a;
            }
            return sum;
        }
    }

    @Override
    public String toString() {
        return id + " (rid 0x" + Integer.toHexString(requesterId) + ", pasid " + pasid + ")";
    }
}
