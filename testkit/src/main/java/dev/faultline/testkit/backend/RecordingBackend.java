package dev.faultline.testkit.backend;

import dev.faultline.api.backend.IommuBackend;
import dev.faultline.api.backend.PageResponse;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.ResponseCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The IOMMU end of an {@link dev.faultline.api.backend.IommuPort}: connect it to a real core
 * ({@code pipeline.connect(new RecordingBackend("smmu0"))}) and it records every page response the core sends,
 * copied, since the core's {@link PageResponse} is valid only during the call. Thread-safe; never blocks for
 * long and never throws, as the core requires of a backend.
 */
public final class RecordingBackend implements IommuBackend {

    /**
     * One page response as the hardware would get it.
     *
     * @param device the device that made the requests
     * @param groupId the group id of the last request (PRGI, STAG)
     * @param pasid the last request's PASID, or {@link dev.faultline.api.fault.Pasid#NONE}
     * @param needsPasid whether the response must carry the PASID
     * @param code the answer
     * @param privateData0 the last request's first private data word
     * @param privateData1 the last request's second private data word
     */
    public record Response(DeviceId device, int groupId, int pasid, boolean needsPasid, ResponseCode code,
            long privateData0, long privateData1) {
    }

    private final String name;
    private final boolean printsUnhandledFaults;
    private final List<Response> responses = new ArrayList<>();

    /**
     * A backend connecting under {@code name}; the core prints the faults nobody handles.
     *
     * @param name unique among the IOMMUs connected to one core, e.g. {@code smmu0}
     */
    public RecordingBackend(String name) {
        this(name, false);
    }

    private RecordingBackend(String name, boolean printsUnhandledFaults) {
        this.name = name;
        this.printsUnhandledFaults = printsUnhandledFaults;
    }

    /**
     * A backend that says it prints unhandled faults in its hardware's own format
     * ({@link IommuBackend#printsUnhandledFaults()}), so the core does not print them.
     */
    public static RecordingBackend printingUnhandledFaults(String name) {
        return new RecordingBackend(name, true);
    }

    @Override
    public boolean printsUnhandledFaults() {
        return printsUnhandledFaults;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void sendPageResponse(DeviceId device, PageResponse r) {
        Response copy = new Response(device, r.groupId(), r.pasid(), r.needsPasid(), r.code(), r.privateData0(),
                r.privateData1());
        synchronized (this) {
            responses.add(copy);
            notifyAll();
        }
    }

    /** Every response received, in order. */
    public synchronized List<Response> responses() {
        return List.copyOf(responses);
    }

    /** The codes of every response received, in order. */
    public synchronized List<ResponseCode> codes() {
        return responses.stream().map(Response::code).toList();
    }

    /** The responses sent for {@code device}, in order. */
    public synchronized List<Response> responsesFor(DeviceId device) {
        return responses.stream().filter(r -> r.device().equals(device)).toList();
    }

    /**
     * The only response received.
     *
     * @throws AssertionError if there is not exactly one
     */
    public synchronized Response single() {
        if (responses.size() != 1) {
            throw new AssertionError("expected exactly one page response, got " + responses);
        }
        return responses.get(0);
    }

    /**
     * Waits until at least {@code count} responses have come, for groups answered on another thread (deferred,
     * queued handlers, deadlines).
     *
     * @return the responses received so far
     * @throws AssertionError if fewer came within {@code timeout}
     */
    public synchronized List<Response> awaitResponses(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (responses.size() < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("expected " + count + " page responses within " + timeout + ", got "
                        + responses);
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return List.copyOf(responses);
    }

    /** Forgets the responses received so far. */
    public synchronized void clear() {
        responses.clear();
    }

    @Override
    public String toString() {
        return "RecordingBackend[" + name + "]";
    }
}
