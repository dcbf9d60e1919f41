package dev.faultline.soak;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Pasid;
import dev.faultline.platform.arm.TranslationTable;
import dev.faultline.platform.dma.AccessType;
import dev.faultline.platform.dma.DmaAccess;
import dev.faultline.platform.dma.DmaDevice;
import dev.faultline.platform.dma.DmaTransaction;
import dev.faultline.platform.dma.TranslationOutcome;
import dev.faultline.platform.smmuv3.Smmu;
import java.util.concurrent.TimeUnit;

/**
 * A bus master behind an SMMU in stall mode: keeps up to {@code window} DMA writes in flight, each to an unmapped
 * page of its domain, so each stalls until software answers (CMD_RESUME retry after the handler mapped the page,
 * or abort). Before a slot is reused its transaction must have completed; a transaction still stalled by then is
 * a device left waiting, which the soak reports. Used from one thread.
 */
final class StallingMaster {
    private static final long REGION = 0x10_0000_0000L;

    final DeviceId id;
    final TranslationTable table;
    private final DmaDevice device;
    private final int streamId;
    private final DmaTransaction[] slots;
    private final long[] pages;
    private long issued;
    private long translated;
    private long aborted;
    private long stalls;

    StallingMaster(DeviceId id, int streamId, Smmu smmu, TranslationTable table, int window) {
        this.id = id;
        this.streamId = streamId;
        this.table = table;
        this.device = DmaDevice.of(id.toString(), streamId, smmu, smmu.memory());
        this.slots = new DmaTransaction[window];
        this.pages = new long[window];
    }

    /**
     * Issues one write whose fault the handler will treat with {@code act}, in the next slot.
     *
     * @return {@code false} if the slot's previous transaction was still not complete at the deadline
     * @throws InterruptedException if interrupted while waiting for the slot
     */
    boolean issue(HandlerAct act, long deadlineNanos) throws InterruptedException {
        int slot = (int) (issued % slots.length);
        if (!retire(slot, deadlineNanos)) {
            return false;
        }
        long page = act.in(REGION + ((issued & 0xffff) << 16));
        pages[slot] = page;
        slots[slot] = device.start(new DmaAccess(streamId, Pasid.NONE, page + 8, AccessType.WRITE, false, 8, false));
        issued++;
        return true;
    }

    /**
     * Waits for every transaction in flight to complete.
     *
     * @return whether all did before the deadline
     * @throws InterruptedException if interrupted
     */
    boolean drain(long deadlineNanos) throws InterruptedException {
        for (int i = 0; i < slots.length; i++) {
            if (!retire(i, deadlineNanos)) {
                return false;
            }
        }
        return true;
    }

    private boolean retire(int slot, long deadlineNanos) throws InterruptedException {
        DmaTransaction tx = slots[slot];
        if (tx == null) {
            return true;
        }
        TranslationOutcome outcome = tx.await(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (!outcome.isFinal()) {
            return false;
        }
        stalls += tx.stalls();
        if (outcome == TranslationOutcome.TRANSLATED) {
            translated++;
        } else {
            aborted++;
        }
        table.unmap(pages[slot], 0x1000);
        slots[slot] = null;
        return true;
    }

    /** Writes issued. */
    long issued() {
        return issued;
    }

    /** Writes completed by translation (after the handler mapped the page and answered SUCCESS). */
    long translated() {
        return translated;
    }

    /** Writes terminated (answered INVALID or FAILURE, or by a departure). */
    long aborted() {
        return aborted;
    }

    /** Stalls of the completed writes (a write that stalled again after a retry counts twice). */
    long stalls() {
        return stalls;
    }
}
