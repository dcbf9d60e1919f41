package dev.faultline.core.internal;

import dev.faultline.api.backend.IommuBackend;
import dev.faultline.api.backend.PageResponse;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.ResponseCode;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A backend that records every page response it is asked to send (copied, since the response is reused). */
class RecordingBackend implements IommuBackend {
    /** One response as the hardware would get it. */
    record Sent(DeviceId device, int groupId, int pasid, boolean needsPasid, ResponseCode code, long privateData0) {
    }

    final List<Sent> sent = new CopyOnWriteArrayList<>();
    private final String name;

    RecordingBackend(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void sendPageResponse(DeviceId device, PageResponse r) {
        sent.add(new Sent(device, r.groupId(), r.pasid(), r.needsPasid(), r.code(), r.privateData0()));
    }

    List<ResponseCode> codes() {
        return sent.stream().map(Sent::code).toList();
    }

    /** The only response sent, failing if there is not exactly one. */
    Sent single() {
        if (sent.size() != 1) {
            throw new AssertionError("expected exactly one page response, got " + sent);
        }
        return sent.get(0);
    }
}
