package dev.faultline.faultlog;

import dev.faultline.api.backend.FaultPipeline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A logged incident replayed as far as it goes: the reports whose device is mapped ({@link DeviceMap}) reach the
 * simulated machine's drivers ({@link DriverReplayer}), every other report goes through the core on the replay
 * IOMMU, in the replay namespace ({@link Replayer}).
 */
public final class IncidentReplay {
    private final FaultPipeline pipeline;
    private final Optional<DriverReplayer> drivers;

    /**
     * An incident replay into {@code pipeline}, and into the machine's drivers when {@code drivers} is present.
     */
    public IncidentReplay(FaultPipeline pipeline, Optional<DriverReplayer> drivers) {
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        this.drivers = Objects.requireNonNull(drivers, "drivers");
    }

    /**
     * Replays {@code log}.
     *
     * @throws IllegalStateException if {@code map} maps devices but no simulated machine runs
     */
    public IncidentReport replay(DecodedLog log, ReplayOptions options, DeviceMap map) {
        if (map.isEmpty()) {
            return new IncidentReport(new Replayer(pipeline).replay(log, options), Optional.empty());
        }
        DriverReplayer machine = drivers.orElseThrow(
                () -> new IllegalStateException("--map needs the simulated machine, and none is running"));
        List<DecodedFault> mapped = new ArrayList<>();
        List<DecodedFault> rest = new ArrayList<>();
        for (DecodedFault f : log.faults()) {
            (map.target(f).isPresent() ? mapped : rest).add(f);
        }
        Duration timeout = options.responseTimeout();
        DriverReplayReport driverReport = machine.replay(mapped, map, timeout);
        ReplayReport r = new Replayer(pipeline).replay(rest, options);
        Map<String, Integer> notReplayed = new LinkedHashMap<>();
        if (!mapped.isEmpty()) {
            notReplayed.put("mapped to the machine's devices", mapped.size());
        }
        notReplayed.putAll(r.notReplayed());
        ReplayReport core = new ReplayReport(log.faults().size(), r.devices(), r.replayed(), notReplayed, r.outcomes(),
                r.responses(), r.awaitedResponses(), r.unanswered(), r.extraResponses(), r.errors());
        return new IncidentReport(core, Optional.of(driverReport));
    }
}
