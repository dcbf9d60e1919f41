package dev.faultline.faultlog.internal.shell;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.stats.FaultStatistics;
import dev.faultline.drivers.msm.AdrenoGpu;
import dev.faultline.drivers.remoteproc.RemoteProcessor;
import dev.faultline.faultlog.DriverReplayer;
import dev.faultline.platform.machine.Machine;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The simulated machine and its drivers as a replay's {@code --map} needs them: the {@link Machine}, the core's
 * {@link FaultStatistics}, the {@link RemoteProcessor}s and the {@link AdrenoGpu}s, each tracked while it is there. The shell command and
 * the launcher's {@code replay} task share it.
 */
@Component(service = MachineDrivers.class)
public final class MachineDrivers {
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile Machine machine;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile FaultStatistics statistics;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile List<Map.Entry<Map<String, Object>, RemoteProcessor>> processors = List.of();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile List<Map.Entry<Map<String, Object>, AdrenoGpu>> gpus = List.of();

    /** A replayer into the running machine's drivers, or empty while no machine runs. */
    public Optional<DriverReplayer> replayer() {
        Machine m = machine;
        return m == null ? Optional.empty()
                : Optional.of(new DriverReplayer(m, this::processorOf, this::gpuOf,
                Optional.ofNullable(statistics)));
    }

    /** The processor whose configuration names {@code device} (its {@code device} service property). */
    private Optional<RemoteProcessor> processorOf(DeviceId device) {
        return processors.stream().filter(p -> device.toString().equals(String.valueOf(p.getKey().get("device"))))
                .map(Map.Entry::getValue).findFirst();
    }

    /** The GPU whose configuration names {@code device} (its {@code faultline.device} service property). */
    private Optional<AdrenoGpu> gpuOf(DeviceId device) {
        return gpus.stream()
                .filter(g -> device.toString().equals(String.valueOf(g.getKey().get("faultline.device"))))
                .map(Map.Entry::getValue).findFirst();
    }
}
