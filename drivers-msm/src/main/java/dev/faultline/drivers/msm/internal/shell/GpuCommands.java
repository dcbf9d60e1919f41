package dev.faultline.drivers.msm.internal.shell;

import dev.faultline.drivers.msm.AdrenoGpu;
import dev.faultline.drivers.msm.GpuSnapshot;
import dev.faultline.drivers.msm.GpuStatus;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** Gogo commands of scope {@code faultline} for GPUs. They return data. */
@Component(service = GpuCommands.class)
@ShellCommands(scope = "faultline", function = {"gpu", "gpucrashstate"})
public final class GpuCommands {
    private final List<AdrenoGpu> gpus = new CopyOnWriteArrayList<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addGpu(AdrenoGpu gpu) {
        gpus.add(gpu);
    }

    void removeGpu(AdrenoGpu gpu) {
        gpus.remove(gpu);
    }

    /** Every GPU's status. */
    @Descriptor("GPUs: stall state and cooldown, faults, printed and suppressed lines, snapshots, contexts")
    public List<GpuStatus> gpu() {
        return gpus.stream().map(AdrenoGpu::status).toList();
    }

    /** Reads and frees a GPU's pending crash state. */
    @Descriptor("read and free a GPU's pending crash state (its snapshot), which lets the next one be captured")
    public Optional<GpuSnapshot> gpucrashstate(@Descriptor("GPU device id, e.g. platform:gpu0") String device) {
        return gpus.stream().filter(g -> g.status().device().equals(device)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no GPU " + device)).readCrashState();
    }
}
