package dev.faultline.faultlog;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.Domain;
import dev.faultline.api.backend.FaultPipeline;
import dev.faultline.api.backend.IommuBackend;
import dev.faultline.api.backend.IommuPort;
import dev.faultline.api.backend.PageResponse;
import dev.faultline.api.backend.ReportOutcome;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Fault;
import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.fault.UnrecoverableFault;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A stand-in for the core with no handlers: a last-page request is answered {@code INVALID} at once
 * ({@code NO_HANDLER}), a partial one is parked, an unrecoverable fault goes nowhere. It records what it was
 * told. Subclasses misbehave in the ways their names say.
 */
public class FakePipeline implements FaultPipeline {
    final List<Fault> reported = Collections.synchronizedList(new ArrayList<>());
    final Map<DeviceId, Map<Integer, Domain>> attachments = new ConcurrentHashMap<>();
    final List<String> events = Collections.synchronizedList(new ArrayList<>());
    private final List<Pending> pending = Collections.synchronizedList(new ArrayList<>());
    private volatile IommuBackend backend;

    /** A group left for later. */
    record Pending(DeviceId device, PageRequest last) {
    }

    @Override
    public IommuPort connect(IommuBackend newBackend) {
        if (backend != null) {
            throw new IllegalStateException("an IOMMU named " + newBackend.name() + " is connected");
        }
        backend = newBackend;
        events.add("connect " + newBackend.name());
        return new Port();
    }

    /** What happens to a last-page request; by default: answered INVALID at once, no handler. */
    ReportOutcome lastPage(DeviceId device, PageRequest last) {
        respond(device, last, ResponseCode.INVALID);
        return ReportOutcome.NO_HANDLER;
    }

    /** Keeps a group to answer when the IOMMU disconnects. */
    void keep(DeviceId device, PageRequest last) {
        pending.add(new Pending(device, last));
    }

    /** What happens to the kept groups at disconnection; by default they are answered INVALID. */
    void disconnect(List<Pending> kept) {
        kept.forEach(p -> respond(p.device(), p.last(), ResponseCode.INVALID));
    }

    DevicePort addDevice(DeviceId id) {
        return new Device(id);
    }

    final void respond(DeviceId device, PageRequest last, ResponseCode code) {
        backend.sendPageResponse(device, new Response(code, last));
    }

    /** A core that answers every page request group from another thread, after the report returned. */
    static final class LateAnsweringPipeline extends FakePipeline {
        private final ExecutorService answers = Executors.newSingleThreadExecutor();

        @Override
        ReportOutcome lastPage(DeviceId device, PageRequest last) {
            answers.execute(() -> respond(device, last, ResponseCode.SUCCESS));
            return ReportOutcome.DISPATCHED;
        }

        @Override
        void disconnect(List<Pending> kept) {
            answers.shutdown();
        }
    }

    /** A core whose handler never answers; only disconnecting answers the groups. */
    static final class NeverAnsweringPipeline extends FakePipeline {
        @Override
        ReportOutcome lastPage(DeviceId device, PageRequest last) {
            keep(device, last);
            return ReportOutcome.DISPATCHED;
        }
    }

    /** A core that loses its pending groups when the IOMMU disconnects. */
    static final class GroupLosingPipeline extends FakePipeline {
        @Override
        ReportOutcome lastPage(DeviceId device, PageRequest last) {
            keep(device, last);
            return ReportOutcome.DISPATCHED;
        }

        @Override
        void disconnect(List<Pending> kept) {
            // lost
        }
    }

    /** A core that answers every group twice. */
    static final class DoubleAnsweringPipeline extends FakePipeline {
        @Override
        ReportOutcome lastPage(DeviceId device, PageRequest last) {
            respond(device, last, ResponseCode.SUCCESS);
            respond(device, last, ResponseCode.SUCCESS);
            return ReportOutcome.DISPATCHED;
        }
    }

    /** A core that refuses to connect the IOMMU. */
    static final class RefusingPipeline extends FakePipeline {
        @Override
        public IommuPort connect(IommuBackend newBackend) {
            throw new IllegalStateException("an IOMMU named " + newBackend.name() + " is connected");
        }
    }

    /** A core that says every device is already present on another IOMMU. */
    static final class DeviceRejectingPipeline extends FakePipeline {
        @Override
        DevicePort addDevice(DeviceId id) {
            throw new IllegalStateException(id + " is present on iommu0");
        }
    }

    private final class Port implements IommuPort {
        private final Map<DeviceId, DevicePort> devices = new ConcurrentHashMap<>();

        @Override
        public DevicePort addDevice(DeviceId device) {
            if (devices.containsKey(device)) {
                throw new IllegalStateException(device + " is present");
            }
            DevicePort port = FakePipeline.this.addDevice(device);
            devices.put(device, port);
            events.add("add " + device);
            return port;
        }

        @Override
        public Optional<DevicePort> device(DeviceId device) {
            return Optional.ofNullable(devices.get(device));
        }

        @Override
        public void discardPartials() {
            events.add("discard partials");
        }

        @Override
        public void close() {
            List<Pending> kept;
            synchronized (pending) {
                kept = new ArrayList<>(pending);
                pending.clear();
            }
            disconnect(kept);
            events.add("close");
        }
    }

    private final class Device implements DevicePort {
        private final DeviceId id;

        Device(DeviceId id) {
            this.id = id;
        }

        @Override
        public DeviceId id() {
            return id;
        }

        @Override
        public void attach(int pasid, Domain domain) {
            attachments.computeIfAbsent(id, d -> new ConcurrentHashMap<>()).put(pasid, domain);
        }

        @Override
        public void detach(int pasid) {
            attachments.getOrDefault(id, Map.of()).remove(pasid);
        }

        @Override
        public ReportOutcome reportPageRequest(int pasid, int groupId, int flags, Permissions permissions,
                long address, long privateData0, long privateData1) {
            PageRequest r = new PageRequest(id, pasid, groupId, (flags & PageRequest.FLAG_LAST_PAGE) != 0, address,
                    permissions, privateData0, privateData1, (flags & PageRequest.FLAG_RESPONSE_NEEDS_PASID) != 0);
            reported.add(r);
            return r.lastPage() ? lastPage(id, r) : ReportOutcome.PARKED;
        }

        @Override
        public ReportOutcome reportUnrecoverable(int flags, int pasid, Permissions permissions, long address,
                long fetchAddress, HardwareRecord record) {
            reported.add(new UnrecoverableFault(id, flags, pasid, permissions, address, fetchAddress, record));
            return attachments.getOrDefault(id, Map.of()).containsKey(pasid) ? ReportOutcome.DELIVERED
                    : ReportOutcome.NO_HANDLER;
        }

        @Override
        public void remove() {
            events.add("remove " + id);
        }
    }

    private record Response(ResponseCode code, PageRequest last) implements PageResponse {
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
            return last.pasid() != Pasid.NONE;
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
}
