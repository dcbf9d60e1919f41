package dev.faultline.soak.simulation;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.platform.dma.PrgResponseMessage;
import dev.faultline.platform.dma.PrgResponseReceiver;
import dev.faultline.platform.dma.TranslationPort;
import dev.faultline.soak.PrgIndices;

/**
 * A PCIe function with PRI in the simulation: sends page request groups as raw messages (a few pages, the last one
 * marked L, at most {@code window} outstanding) and keeps the device's own ledger, which is what exactly-once is
 * checked against. A response for an index with no group outstanding is a duplicate; one with another PASID, a
 * mix-up; both are recorded as violations the moment they arrive. Single-threaded, like the whole simulation.
 */
final class SimPriFunction implements PrgResponseReceiver {
    final DeviceId id;
    final int requesterId;
    final int pasid;
    private final TranslationPort port;
    private final int window;
    private final Scheduler scheduler;
    private final Violations violations;
    private final PrgIndices indices = new PrgIndices();
    private long groups;
    private long pages;
    private long answered;
    private int lastCode = -1;

    SimPriFunction(DeviceId id, int requesterId, int pasid, TranslationPort port, int window, Scheduler scheduler,
            Violations violations) {
        this.id = id;
        this.requesterId = requesterId;
        this.pasid = pasid;
        this.port = port;
        this.window = window;
        this.scheduler = scheduler;
        this.violations = violations;
        port.connect(requesterId, this);
    }

    /** Whether another group may be sent (fewer than {@code window} outstanding). */
    boolean canSend() {
        return indices.outstanding() < window;
    }

    /** Sends one group of {@code count} pages from {@code firstPage}; the caller checked {@link #canSend()}. */
    void send(long firstPage, int count) {
        int index = indices.take();
        groups++;
        pages += count;
        scheduler.trace(id + " sends group 0x" + Integer.toHexString(index) + " of " + count + " at 0x"
                + Long.toHexString(firstPage));
        PrgIndices.send(port, requesterId, pasid, index, firstPage, count);
    }

    @Override
    public void receive(PrgResponseMessage response) {
        int index = response.prgIndex();
        scheduler.trace(id + " hears group 0x" + Integer.toHexString(index) + " code " + response.responseCode());
        if (!indices.answer(index)) {
            violations.add(id + " heard a second answer (code " + response.responseCode() + ") for group 0x"
                    + Integer.toHexString(index));
            return;
        }
        if (response.hasPasid() && response.pasid() != pasid) {
            violations.add(id + " heard an answer for group 0x" + Integer.toHexString(index) + " with PASID "
                    + response.pasid() + " instead of " + pasid);
        }
        answered++;
        lastCode = response.responseCode();
    }

    int outstanding() {
        return indices.outstanding();
    }

    long groups() {
        return groups;
    }

    long pages() {
        return pages;
    }

    long answered() {
        return answered;
    }

    /** The PCIe code of the last answer heard, or -1. */
    int lastCode() {
        return lastCode;
    }

    @Override
    public String toString() {
        return id.toString();
    }
}
