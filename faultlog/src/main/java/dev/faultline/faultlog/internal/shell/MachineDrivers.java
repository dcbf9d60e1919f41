package dev.faultline.faultlog.internal.shell;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.stats.FaultStatistics;
import dev.faultline.drivers.remoteproc.RemoteProcessor;
import dev.faultline.faultlog.DriverReplayer;
import dev.faultline.platform.machine.Machine;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The simulated machine and its drivers as a replay's {@code --map} needs them: the {@link Machine}, the core's
 * {@link FaultStatistics} and the {@link RemoteProcessor}s, each tracked while it is there. The shell command and
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
    final List<RemoteProcessor> processors = new CopyOnWriteArrayList<>();

    /** A replayer into the running machine's drivers, or empty while no machine runs. */
    public Optional<DriverReplayer> replayer() {
        Machine m = machine;
        return m == null ? Optional.empty()
                : Optional.of(new DriverReplayer(m, this::processorOf, Optional.ofNullable(statistics)));
    }

    private Optional<RemoteProcessor> processorOf(DeviceId device) {
        return processors.stream().filter(p -> p.status().device().equals(device.toString())).findFirst();
    }
}
