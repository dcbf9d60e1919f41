package dev.faultline.faultlog;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.stats.DeviceStatus;
import dev.faultline.api.stats.FaultCounts;
import dev.faultline.api.stats.FaultStatistics;
import dev.faultline.api.stats.HandlerStatus;
import dev.faultline.drivers.msm.AdrenoGpu;
import dev.faultline.drivers.remoteproc.CrashType;
import dev.faultline.drivers.remoteproc.RemoteProcessor;
import dev.faultline.platform.dma.AccessType;
import dev.faultline.platform.dma.DmaAccess;
import dev.faultline.platform.dma.DmaTransaction;
import dev.faultline.platform.dma.TranslationOutcome;
import dev.faultline.platform.dma.TranslationPort;
import dev.faultline.platform.machine.DeviceNode;
import dev.faultline.platform.machine.Machine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Replays logged reports into the drivers of the simulated machine: each report whose device is mapped
 * ({@link DeviceMap}) to a machine device is delivered the way the logged machine delivered it, so the driver
 * that owns the device on the simulated machine handles it as it would a fault of its own.
 *
 * <ul>
 *   <li>An IOMMU fault (SMMUv3 event, context fault, DMAR fault, AMD page fault, msm GPU fault) becomes the
 *       machine device's access at the logged address, with the logged direction, PASID and privilege, issued to
 *       its IOMMU model. If that address is not mapped for the device, the model records the fault in its queue,
 *       its backend reports it and the core routes it to the device's driver (the remoteproc handler crashes and
 *       recovers the processor; a device without handler, such as a usNIC VF, has its fault printed by the IOMMU
 *       driver). The access only translates, it moves no data.</li>
 *   <li>An IOMMU fault of a device that is an Adreno GPU is an access of one of the GPU's jobs, as it was on the
 *       logged machine: the replay runs it as a job of the GPU, in a context per address space the log names
 *       ({@code ttbr0}, else context bank), so the msm driver stalls it, prints it, snapshots the job, terminates
 *       the access and recovers, as it does for a fault of its own. A bare access of the device would belong to
 *       no context: on the SMMUv3 a GPU's PASID-less traffic reaches no context descriptor the driver wrote (and
 *       with no context at all its stream aborts without a record), and outside a job there is nothing to
 *       snapshot or recover.</li>
 *   <li>A remote processor crash line ({@code crash detected in ...: type watchdog}) is reported to the remote
 *       processor that drives the machine device ({@code rproc_report_crash}), with the logged crash type.</li>
 * </ul>
 *
 * <p>The report says per machine device what its hardware did and what the core did with its faults during the
 * replay. One replay at a time; an instance holds no state between replays.
 */
public final class DriverReplayer {
    private static final int ACCESS_SIZE = 4;
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final Machine machine;
    private final Function<DeviceId, Optional<RemoteProcessor>> processors;
    private final Function<DeviceId, Optional<AdrenoGpu>> gpus;
    private final Optional<FaultStatistics> statistics;

    /**
     * A replayer into {@code machine}.
     *
     * @param processors the remote processor that drives a machine device, if any
     * @param statistics the core's statistics, to say what the core did with the devices' faults (without them the
     *     core columns are 0 and the replay does not wait for the core)
     */
    public DriverReplayer(Machine machine, Function<DeviceId, Optional<RemoteProcessor>> processors,
            Optional<FaultStatistics> statistics) {
        this(machine, processors, device -> Optional.empty(), statistics);
    }

    /**
     * A replayer into {@code machine}, whose GPUs run their logged faults as jobs.
     *
     * @param processors the remote processor that drives a machine device, if any
     * @param gpus the Adreno GPU a machine device is, if any
     * @param statistics the core's statistics, to say what the core did with the devices' faults (without them the
     *     core columns are 0 and the replay does not wait for the core)
     * @since 1.1
     */
    public DriverReplayer(Machine machine, Function<DeviceId, Optional<RemoteProcessor>> processors,
            Function<DeviceId, Optional<AdrenoGpu>> gpus, Optional<FaultStatistics> statistics) {
        this.machine = Objects.requireNonNull(machine, "machine");
        this.processors = Objects.requireNonNull(processors, "processors");
        this.gpus = Objects.requireNonNull(gpus, "gpus");
        this.statistics = Objects.requireNonNull(statistics, "statistics");
    }

    /**
     * Delivers every report of {@code faults} that {@code map} maps, in log order, then waits up to {@code timeout}
     * for the core to have taken in the faults the devices' IOMMUs recorded.
     */
    public DriverReplayReport replay(List<DecodedFault> faults, DeviceMap map, Duration timeout) {
        Map<DeviceId, Map<Delivery, Integer>> deliveries = new LinkedHashMap<>();
        Map<String, Integer> notDelivered = new LinkedHashMap<>();
        List<String> errors = new ArrayList<>();
        Map<DeviceId, FaultCounts> before = counts();
        GpuJobs gpuJobs = new GpuJobs();
        long deadline = System.nanoTime() + timeout.toNanos();
        for (DecodedFault f : faults) {
            Optional<DeviceId> target = map.target(f);
            if (target.isEmpty()) {
                continue;
            }
            DeviceId device = target.get();
            Map<Delivery, Integer> counts = deliveries.computeIfAbsent(device, d -> new EnumMap<>(Delivery.class));
            try {
                Result r = deliver(f, device, gpuJobs, deadline);
                r.fold(delivery -> counts.merge(delivery, 1, Integer::sum),
                        why -> notDelivered.merge(why, 1, Integer::sum));
                if (r.delivery() == Delivery.FAULTED) {
                    // in log order: the driver takes this fault in before the next report reaches it
                    awaitCore(Map.of(device, counts), before, deadline);
                }
            } catch (RuntimeException e) {
                errors.add("delivering line " + f.line() + " to " + device + " failed: " + e);
            }
        }
        awaitCore(deliveries, before, deadline);
        Map<DeviceId, FaultCounts> after = counts();
        List<DriverReplayReport.Row> rows = new ArrayList<>();
        deliveries.forEach((device, counts) -> {
            FaultCounts was = before.get(device);
            FaultCounts now = after.get(device);
            rows.add(new DriverReplayReport.Row(device, driverOf(device), counts,
                    delta(now, was, c -> c.dispatched() + c.delivered()), delta(now, was, FaultCounts::noHandler)));
        });
        return new DriverReplayReport(rows, notDelivered, errors);
    }

    private Result deliver(DecodedFault f, DeviceId device, GpuJobs gpuJobs, long deadline) {
        Optional<DeviceNode> node = machine.devices().stream().filter(n -> n.id().equals(device)).findFirst();
        if (node.isEmpty()) {
            return Result.not("no device " + device + " on machine " + machine.name());
        }
        if (f.format() == FaultFormat.REMOTEPROC_CRASH && !f.determined(FaultField.ADDRESS)) {
            return crash(f, device);
        }
        if (!f.determined(FaultField.ADDRESS)) {
            return Result.not(f.format().key() + ": the log gives no address");
        }
        Optional<AdrenoGpu> gpu = gpus.apply(device);
        if (gpu.isPresent()) {
            return gpuJobs.run(gpu.get(), device, f, deadline).map(Result::of)
                    .orElseGet(() -> Result.not("the GPU cancelled the replayed job"));
        }
        Optional<TranslationPort> port = machine.iommu(node.get().iommu());
        if (port.isEmpty()) {
            return Result.not("IOMMU " + node.get().iommu() + " of " + device + " is not installed");
        }
        DmaTransaction tx = port.get().issue(access(f, node.get()));
        try {
            long left = Math.max(0, deadline - System.nanoTime());
            TranslationOutcome outcome = tx.await(left, TimeUnit.NANOSECONDS);
            return switch (outcome) {
                case TRANSLATED, NO_TRANSLATION -> Result.of(Delivery.TRANSLATED);
                case ABORTED, RAZ_WI -> Result.of(Delivery.FAULTED);
                default -> Result.of(Delivery.STALLED);
            };
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Result.of(Delivery.STALLED);
        }
    }

    /** The machine device's access as the log describes it, at the logged address (within its page). */
    private static DmaAccess access(DecodedFault f, DeviceNode node) {
        long address = f.number(FaultField.ADDRESS).orElseThrow();
        long aligned = Math.min(address, (address | 0xfffL) - (ACCESS_SIZE - 1));
        AccessType type = f.isTrue(FaultField.EXEC) ? AccessType.INSTRUCTION_FETCH
                : f.isTrue(FaultField.WRITE) && !f.isTrue(FaultField.READ) ? AccessType.WRITE : AccessType.READ;
        int pasid = f.number(FaultField.PASID).isPresent() ? (int) f.number(FaultField.PASID).getAsLong() : Pasid.NONE;
        return new DmaAccess(node.requesterId(), pasid, aligned, type, f.isTrue(FaultField.PRIV), ACCESS_SIZE, false);
    }

    private Result crash(DecodedFault f, DeviceId device) {
        Optional<RemoteProcessor> processor = processors.apply(device);
        if (processor.isEmpty()) {
            return Result.not("no remote processor drives " + device);
        }
        String logged = f.text(FaultField.CRASH_TYPE).orElse("");
        for (CrashType type : CrashType.values()) {
            if (type.label().equals(logged)) {
                return Result.of(processor.get().reportCrash(type) ? Delivery.CRASH_REPORTED : Delivery.CRASH_COALESCED);
            }
        }
        return Result.not("remoteproc crash type '" + logged + "' is not one Linux reports");
    }

    /**
     * Waits until the core took in, for each device, at least the faults its IOMMU recorded: handed each to a
     * handler, or found none, or rejected it.
     */
    private void awaitCore(Map<DeviceId, Map<Delivery, Integer>> deliveries, Map<DeviceId, FaultCounts> before,
            long deadline) {
        if (statistics.isEmpty()) {
            return;
        }
        while (System.nanoTime() < deadline) {
            Map<DeviceId, FaultCounts> now = counts();
            boolean all = deliveries.entrySet().stream().allMatch(e -> delta(now.get(e.getKey()),
                    before.get(e.getKey()), DriverReplayer::takenIn) >= e.getValue().getOrDefault(Delivery.FAULTED, 0));
            if (all) {
                return;
            }
            try {
                TimeUnit.NANOSECONDS.sleep(POLL_NANOS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private Map<DeviceId, FaultCounts> counts() {
        Map<DeviceId, FaultCounts> counts = new LinkedHashMap<>();
        statistics.ifPresent(s -> {
            for (DeviceStatus d : s.devices()) {
                if (d.present()) {
                    counts.put(DeviceId.parse(d.device()), d.counts());
                }
            }
        });
        return counts;
    }

    private static long takenIn(FaultCounts c) {
        return c.dispatched() + c.delivered() + c.noHandler() + c.rejected();
    }

    private static long delta(@Nullable FaultCounts now, @Nullable FaultCounts was, java.util.function.ToLongFunction<FaultCounts> field) {
        return (now == null ? 0 : field.applyAsLong(now)) - (was == null ? 0 : field.applyAsLong(was));
    }

    private String driverOf(DeviceId device) {
        Optional<RemoteProcessor> processor = processors.apply(device);
        if (processor.isPresent()) {
            return "remoteproc " + processor.get().name();
        }
        if (gpus.apply(device).isPresent()) {
            return "msm gpu";
        }
        List<String> bundles = statistics.map(s -> s.handlers().stream()
                .filter(h -> h.state() == HandlerStatus.State.ACTIVE && h.devices().contains(device.toString()))
                .map(HandlerStatus::bundle).distinct().toList()).orElse(List.of());
        return bundles.isEmpty() ? "no handler" : String.join(",", bundles);
    }

    /** A delivery, or why there was none. */
    private record Result(@Nullable Delivery delivery, @Nullable String notDelivered) {
        static Result of(Delivery delivery) {
            return new Result(delivery, null);
        }

        static Result not(String why) {
            return new Result(null, why);
        }

        void fold(java.util.function.Consumer<Delivery> delivered, java.util.function.Consumer<String> not) {
            if (delivery != null) {
                delivered.accept(delivery);
            } else {
                not.accept(notDelivered);
            }
        }
    }
}
