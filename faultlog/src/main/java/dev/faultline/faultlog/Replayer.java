package dev.faultline.faultlog;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.Domain;
import dev.faultline.api.backend.FaultPipeline;
import dev.faultline.api.backend.IommuPort;
import dev.faultline.api.backend.ReportOutcome;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Fault;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.ResponseCode;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Feeds decoded faults through a running core, as if an IOMMU had reported them: connects a replay IOMMU to
 * the {@link FaultPipeline}, adds the faults' devices in the replay namespace ({@link ReplayNamespace}, never a
 * simulated device's id), attaches them to domains if asked (by the ids the log printed), reports each fault
 * in log order (page requests with their last-page flag, unrecoverable faults with their raw record), waits
 * for the answers the page request groups are owed, disconnects, and reports what happened.
 *
 * <p>Reports that do not {@link DecodedFault#convert() convert} to the fault model are counted, not
 * replayed. One replay at a time per backend name; an instance holds no state between replays.
 */
public final class Replayer {
    private final FaultPipeline pipeline;

    /** A replayer for {@code pipeline}. */
    public Replayer(FaultPipeline pipeline) {
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
    }

    /** Replays every fault of {@code log}. */
    public ReplayReport replay(DecodedLog log, ReplayOptions options) {
        return replay(log.faults(), options);
    }

    /** Replays {@code faults} in order. */
    public ReplayReport replay(List<DecodedFault> faults, ReplayOptions options) {
        Run run = new Run(faults.size());
        List<Fault> converted = new ArrayList<>();
        // The log's device ids (what decode prints, what the options attach) by replay device.
        Map<DeviceId, DeviceId> logIds = new LinkedHashMap<>();
        for (DecodedFault f : faults) {
            FaultConversion c = f.convert();
            if (c instanceof FaultConversion.NotConvertible n) {
                run.skip(f.format().key() + ": " + n.reason());
            } else {
                Fault logged = c.fault().orElseThrow();
                DeviceId device = ReplayNamespace.deviceOf(f, logged);
                logIds.putIfAbsent(device, logged.device());
                converted.add(ReplayNamespace.on(device, logged));
            }
        }
        run.devices.putAll(logIds);
        RecordingBackend backend = new RecordingBackend(options.backendName());
        IommuPort port;
        try {
            port = pipeline.connect(backend);
        } catch (RuntimeException e) {
            run.errors.add("the pipeline did not connect the replay IOMMU '" + options.backendName() + "': " + e);
            converted.forEach(f -> run.skip("not connected"));
            return run.report(backend);
        }
        try {
            Map<DeviceId, Optional<DevicePort>> devices = addDevices(port, converted, logIds, options, run);
            for (Fault f : converted) {
                Optional<DevicePort> device = devices.get(f.device());
                if (device.isEmpty()) {
                    run.skip("the pipeline did not add the device");
                    continue;
                }
                report(device.get(), f, run);
            }
            awaitResponses(backend, run, options);
        } finally {
            try {
                port.close();
            } catch (RuntimeException e) {
                run.errors.add("disconnecting the replay IOMMU failed: " + e);
            }
        }
        return run.report(backend);
    }

    /** Adds each device once, in order of first fault, and attaches it where asked. */
    private static Map<DeviceId, Optional<DevicePort>> addDevices(IommuPort port, List<Fault> faults,
            Map<DeviceId, DeviceId> logIds, ReplayOptions options, Run run) {
        Map<DeviceId, Set<Integer>> pasids = new LinkedHashMap<>();
        for (Fault f : faults) {
            Set<Integer> p = pasids.computeIfAbsent(f.device(), d -> new LinkedHashSet<>(List.of(Pasid.NONE)));
            p.add(f.pasid());
        }
        Map<DeviceId, Optional<DevicePort>> devices = new LinkedHashMap<>();
        pasids.forEach((id, devicePasids) -> {
            try {
                DevicePort device = port.addDevice(id);
                Optional<Domain> domain = options.domainOf(logIds.get(id));
                domain.ifPresent(d -> devicePasids.forEach(pasid -> device.attach(pasid, d)));
                devices.put(id, Optional.of(device));
            } catch (RuntimeException e) {
                run.errors.add("adding " + id + " failed: " + e);
                devices.put(id, Optional.empty());
            }
        });
        return devices;
    }

    private static void report(DevicePort device, Fault fault, Run run) {
        try {
            ReportOutcome outcome = device.report(fault);
            run.outcomes.merge(outcome, 1, Integer::sum);
            run.replayed++;
            if (fault instanceof PageRequest p && p.lastPage()) {
                run.awaited++;
            }
        } catch (RuntimeException e) {
            run.errors.add("reporting " + fault + " failed: " + e);
        }
    }

    private static void awaitResponses(RecordingBackend backend, Run run, ReplayOptions options) {
        long deadline = System.nanoTime() + options.responseTimeout().toNanos();
        try {
            backend.awaitResponses(run.awaited, deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            run.errors.add("interrupted while waiting for page responses");
        }
    }

    /** The counts of one replay. */
    private static final class Run {
        final int decoded;
        final Map<String, Integer> notReplayed = new LinkedHashMap<>();
        final Map<ReportOutcome, Integer> outcomes = new EnumMap<>(ReportOutcome.class);
        final List<String> errors = new ArrayList<>();
        final Map<DeviceId, DeviceId> devices = new LinkedHashMap<>();
        int replayed;
        int awaited;

        Run(int decoded) {
            this.decoded = decoded;
        }

        void skip(String reason) {
            notReplayed.merge(reason, 1, Integer::sum);
        }

        ReplayReport report(RecordingBackend backend) {
            Map<ResponseCode, Integer> responses = new EnumMap<>(ResponseCode.class);
            List<RecordingBackend.Response> received = backend.responses();
            received.forEach(r -> responses.merge(r.code(), 1, Integer::sum));
            List<String> allErrors = new ArrayList<>(errors);
            allErrors.addAll(backend.malformed());
            return new ReplayReport(decoded, devices, replayed, notReplayed, outcomes, responses, awaited,
                    Math.max(0, awaited - received.size()), Math.max(0, received.size() - awaited), allErrors);
        }
    }
}
