package dev.faultline.itests.core;

import dev.faultline.api.backend.IommuBackend;
import dev.faultline.api.backend.PageResponse;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.ResponseCode;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A backend that records the page responses it gets, as a hardware model would send them. */
final class RecordingBackend implements IommuBackend {
    /** One response. */
    record Sent(DeviceId device, int groupId, ResponseCode code) {
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
    public void sendPageResponse(DeviceId device, PageResponse response) {
        sent.add(new Sent(device, response.groupId(), response.code()));
    }
}
