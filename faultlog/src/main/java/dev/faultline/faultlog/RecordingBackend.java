package dev.faultline.faultlog;

import dev.faultline.api.backend.IommuBackend;
import dev.faultline.api.backend.PageResponse;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.ResponseCode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The replay IOMMU: records every page response the core sends instead of driving hardware. Thread-safe;
 * {@link #sendPageResponse} never blocks for long and never throws.
 */
final class RecordingBackend implements IommuBackend {

    /**
     * One recorded response.
     *
     * @param device the device
     * @param code the answer
     * @param groupId the group id
     * @param pasid the PASID or {@link dev.faultline.api.fault.Pasid#NONE}
     */
    record Response(DeviceId device, ResponseCode code, int groupId, int pasid) {
    }

    private final String name;
    private final List<Response> responses = new ArrayList<>();
    private final List<String> malformed = new ArrayList<>();

    RecordingBackend(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void sendPageResponse(DeviceId device, PageResponse response) {
        Response copy;
        try {
            copy = new Response(device, response.code(), response.groupId(), response.pasid());
        } catch (RuntimeException e) {
            synchronized (this) {
                malformed.add("a page response for " + device + " could not be read: " + e);
            }
            return;
        }
        synchronized (this) {
            responses.add(copy);
            notifyAll();
        }
    }

    /**
     * Waits until at least {@code count} responses have come or the deadline passes.
     *
     * @return whether they came
     * @throws InterruptedException if interrupted while waiting
     */
    synchronized boolean awaitResponses(int count, long deadlineNanos) throws InterruptedException {
        while (responses.size() < count) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    /** A copy of the responses so far, in arrival order. */
    synchronized List<Response> responses() {
        return List.copyOf(responses);
    }

    /** Responses that could not be read. */
    synchronized List<String> malformed() {
        return List.copyOf(malformed);
    }
}
