package dev.faultline.smmuv3.internal;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.Domain;
import dev.faultline.api.backend.FaultPipeline;
import dev.faultline.api.backend.IommuBackend;
import dev.faultline.api.backend.IommuPort;
import dev.faultline.api.backend.ReportOutcome;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.Permissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A fault pipeline that records every call the driver makes and answers each report with a scripted outcome
 * (or throws, when told to), so that routing can be checked argument by argument.
 */
final class ScriptedPipeline implements FaultPipeline {
    /** One report as the driver made it. */
    record Report(DeviceId device, boolean pageRequest, int pasid, int groupOrFlags, int flags, Permissions permissions,
            long address, long fetchAddress, HardwareRecord record) {
    }

    final List<Report> reports = new CopyOnWriteArrayList<>();
    final Map<DeviceId, Map<Integer, Domain>> attachments = new ConcurrentHashMap<>();
    final List<String> calls = new CopyOnWriteArrayList<>();
    volatile ReportOutcome outcome = ReportOutcome.DISPATCHED;
    volatile boolean throwOnReport;
    IommuBackend backend;

    @Override
    public IommuPort connect(IommuBackend b) {
        this.backend = b;
        return new IommuPort() {
            private final Map<DeviceId, DevicePort> devices = new ConcurrentHashMap<>();

            @Override
            public DevicePort addDevice(DeviceId device) {
                DevicePort port = new Port(device);
                devices.put(device, port);
                return port;
            }

            @Override
            public Optional<DevicePort> device(DeviceId device) {
                return Optional.ofNullable(devices.get(device));
            }

            @Override
            public void discardPartials() {
                calls.add("discardPartials");
            }

            @Override
            public void close() {
                calls.add("close");
            }
        };
    }

    private final class Port implements DevicePort {
        private final DeviceId id;

        Port(DeviceId id) {
            this.id = id;
        }

        @Override
        public DeviceId id() {
            return id;
        }

        @Override
        public void attach(int pasid, Domain domain) {
            attachments.computeIfAbsent(id, k -> new ConcurrentHashMap<>()).put(pasid, domain);
        }

        @Override
        public void detach(int pasid) {
            attachments.computeIfAbsent(id, k -> new ConcurrentHashMap<>()).remove(pasid);
        }

        @Override
        public ReportOutcome reportPageRequest(int pasid, int groupId, int flags, Permissions permissions,
                long address, long privateData0, long privateData1) {
            if (throwOnReport) {
                throw new IllegalStateException("scripted failure");
            }
            reports.add(new Report(id, true, pasid, groupId, flags, permissions, address, 0, HardwareRecord.NONE));
            return outcome;
        }

        @Override
        public ReportOutcome reportUnrecoverable(int flags, int pasid, Permissions permissions, long address,
                long fetchAddress, HardwareRecord record) {
            if (throwOnReport) {
                throw new IllegalStateException("scripted failure");
            }
            reports.add(new Report(id, false, pasid, -1, flags, permissions, address, fetchAddress, record));
            return outcome;
        }

        @Override
        public void remove() {
            calls.add("remove " + id);
        }
    }
}
