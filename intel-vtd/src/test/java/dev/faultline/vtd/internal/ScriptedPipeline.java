package dev.faultline.vtd.internal;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.Domain;
import dev.faultline.api.backend.FaultPipeline;
import dev.faultline.api.backend.FaultQueue;
import dev.faultline.api.backend.IommuBackend;
import dev.faultline.api.backend.IommuPort;
import dev.faultline.api.backend.PageResponse;
import dev.faultline.api.backend.ReportOutcome;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.fault.UnrecoverableFault;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A small stand-in for the core: records what the backend reports, answers each last-page request at once
 * with what {@link #pageRequests} says ({@code null}: keep it pending), returns {@link #unrecoverable}'s outcome
 * for unrecoverable faults, and answers pending groups INVALID on close, as the core does.
 */
final class ScriptedPipeline implements FaultPipeline {
    volatile Function<PageRequest, ResponseCode> pageRequests = request -> ResponseCode.SUCCESS;
    volatile Function<UnrecoverableFault, ReportOutcome> unrecoverable = fault -> ReportOutcome.DELIVERED;
    final List<PageRequest> requests = new CopyOnWriteArrayList<>();
    final List<UnrecoverableFault> faults = new CopyOnWriteArrayList<>();
    final List<PageRequest> pending = new CopyOnWriteArrayList<>();
    final List<String> events = new CopyOnWriteArrayList<>();
    volatile IommuBackend backend;
    volatile Port port;

    @Override
    public IommuPort connect(IommuBackend connecting) {
        backend = connecting;
        port = new Port();
        events.add("connect " + connecting.name());
        return port;
    }

    /** Answers a pending group as the core would. */
    void answer(PageRequest last, ResponseCode code) {
        pending.remove(last);
        backend.sendPageResponse(last.device(), new Response(code, last));
    }

    record Response(ResponseCode code, PageRequest last) implements PageResponse {
        @Override
        public int groupId() {
            return last.groupId();
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
        public boolean needsPasid() {
            return last.responseNeedsPasid();
        }

        @Override
        public long privateData0() {
            return last.privateData0();
        }

        @Override
        public long privateData1() {
            return last.privateData1();
        }
    }

    final class Port implements IommuPort {
        final Map<DeviceId, Device> devices = new ConcurrentHashMap<>();
        final List<PageRequest> partials = new CopyOnWriteArrayList<>();
        volatile int discards;
        /** The overflows the driver reported, in order. */
        final List<FaultQueue> overflows = new CopyOnWriteArrayList<>();
        volatile boolean closed;

        @Override
        public DevicePort addDevice(DeviceId device) {
            Device d = new Device(device);
            if (devices.putIfAbsent(device, d) != null) {
                throw new IllegalStateException(device + " already added");
            }
            events.add("add " + device);
            return d;
        }

        @Override
        public Optional<DevicePort> device(DeviceId device) {
            return Optional.ofNullable(devices.get(device));
        }

        @Override
        public void reportOverflow(FaultQueue queue) {
            overflows.add(queue);
        }

        @Override
        public void discardPartials() {
            discards++;
            partials.clear();
            events.add("discardPartials");
        }

        @Override
        public void close() {
            closed = true;
            events.add("close");
            for (PageRequest last : new ArrayList<>(pending)) {
                answer(last, ResponseCode.INVALID);
            }
        }
    }

    final class Device implements DevicePort {
        final DeviceId id;
        final Map<Integer, Domain> attachments = new ConcurrentHashMap<>();
        volatile boolean removed;

        Device(DeviceId id) {
            this.id = id;
        }

        @Override
        public DeviceId id() {
            return id;
        }

        @Override
        public void attach(int pasid, Domain domain) {
            attachments.put(pasid, domain);
        }

        @Override
        public void detach(int pasid) {
            attachments.remove(pasid);
        }

        @Override
        public ReportOutcome reportPageRequest(int pasid, int groupId, int flags, Permissions permissions,
                long address, long privateData0, long privateData1) {
            boolean last = (flags & PageRequest.FLAG_LAST_PAGE) != 0;
            boolean needsPasid = (flags & PageRequest.FLAG_RESPONSE_NEEDS_PASID) != 0;
            PageRequest request = new PageRequest(id, pasid, groupId, last, address, permissions, privateData0,
                    privateData1, needsPasid);
            requests.add(request);
            if (!last) {
                port.partials.add(request);
                return ReportOutcome.PARKED;
            }
            port.partials.removeIf(p -> p.groupId() == groupId);
            ResponseCode code = pageRequests.apply(request);
            if (code == null) {
                pending.add(request);
            } else {
                backend.sendPageResponse(id, new Response(code, request));
            }
            return ReportOutcome.DISPATCHED;
        }

        @Override
        public ReportOutcome reportUnrecoverable(int flags, int pasid, Permissions permissions, long address,
                long fetchAddress, HardwareRecord record) {
            UnrecoverableFault fault = new UnrecoverableFault(id, flags, pasid, permissions, address, fetchAddress,
                    record);
            faults.add(fault);
            return unrecoverable.apply(fault);
        }

        @Override
        public void remove() {
            removed = true;
            port.devices.remove(id);
        }
    }
}
