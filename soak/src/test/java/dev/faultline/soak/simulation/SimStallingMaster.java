package dev.faultline.soak.simulation;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Pasid;
import dev.faultline.platform.arm.TranslationTable;
import dev.faultline.platform.dma.AccessType;
import dev.faultline.platform.dma.DmaAccess;
import dev.faultline.platform.dma.DmaDevice;
import dev.faultline.platform.dma.DmaTransaction;
import dev.faultline.platform.dma.TranslationOutcome;
import dev.faultline.platform.smmuv3.Smmu;

/**
 * A bus master behind an SMMU in stall mode, in the simulation: keeps up to {@code window} DMA writes in flight,
 * each to an unmapped page of its domain, so each stalls until software answers (CMD_RESUME retry after the handler
 * mapped the page, or abort). A completed write frees its slot and its page is unmapped again.
 */
final class SimStallingMaster {
    private static final long REGION = 0x10_0000_0000L;

    final DeviceId id;
    private final TranslationTable table;
    private final DmaDevice device;
    private final int streamId;
    private final int window;
    private final Scheduler scheduler;
    private int inFlight;
    private long issued;
    private long completed;
    private TranslationOutcome lastOutcome;

    SimStallingMaster(DeviceId id, int streamId, Smmu smmu, TranslationTable table, int window, Scheduler scheduler) {
        this.id = id;
        this.streamId = streamId;
        this.table = table;
        this.window = window;
        this.scheduler = scheduler;
        this.device = DmaDevice.of(id.toString(), streamId, smmu, smmu.memory());
    }

    boolean canIssue() {
        return inFlight < window;
    }

    /** Issues one write to a fresh page carrying the handler's act. */
    void issue(SimAct act) {
        long page = act.in(REGION + ((issued & 0xffff) << 16));
        issued++;
        inFlight++;
        scheduler.trace(id + " writes 0x" + Long.toHexString(page));
        DmaTransaction tx = device.start(new DmaAccess(streamId, Pasid.NONE, page + 8, AccessType.WRITE, false, 8,
                false));
        tx.whenComplete(t -> completed(t, page));
    }

    private void completed(DmaTransaction tx, long page) {
        TranslationOutcome outcome = tx.outcome();
        scheduler.trace(id + " write to 0x" + Long.toHexString(page) + " " + outcome + " after " + tx.stalls()
                + " stall(s)");
        inFlight--;
        completed++;
        lastOutcome = outcome;
        table.unmap(page, 0x1000);
    }

    int inFlight() {
        return inFlight;
    }

    long issued() {
        return issued;
    }

    /** Writes completed, translated or aborted. */
    long completed() {
        return completed;
    }

    /** The outcome of the last write completed, or null. */
    TranslationOutcome lastOutcome() {
        return lastOutcome;
    }

    @Override
    public String toString() {
        return id.toString();
    }
}
