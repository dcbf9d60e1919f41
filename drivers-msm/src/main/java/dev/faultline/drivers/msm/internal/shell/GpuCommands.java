package dev.faultline.drivers.msm.internal.shell;

import dev.faultline.core.shell.CommandArguments;
import dev.faultline.core.shell.ShellCommands;
import dev.faultline.core.shell.Table;
import dev.faultline.drivers.msm.AdrenoGpu;
import dev.faultline.drivers.msm.ContextStatus;
import dev.faultline.drivers.msm.GpuCommand;
import dev.faultline.drivers.msm.GpuMapping;
import dev.faultline.drivers.msm.GpuSnapshot;
import dev.faultline.drivers.msm.GpuStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Gogo commands of scope {@code faultline} for GPUs: {@code gpu} and {@code gpucrashstate}. Each prints
 * tables, or JSON with {@code --json}.
 */
@Component(service = GpuCommands.class)
@ShellCommands(function = {"gpu", "gpucrashstate"})
public final class GpuCommands {
    static final String GPU = "[--json]";
    static final String CRASH_STATE = "[--json] <device>";

    private final List<AdrenoGpu> gpus = new CopyOnWriteArrayList<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addGpu(AdrenoGpu gpu) {
        gpus.add(gpu);
    }

    void removeGpu(AdrenoGpu gpu) {
        gpus.remove(gpu);
    }

    /** Every GPU's status and contexts. */
    @Descriptor("GPUs: stall state and cooldown, faults, printed and suppressed lines, snapshots, contexts")
    public String gpu(@Descriptor(GPU) String... arguments) {
        CommandArguments args = CommandArguments.parse("faultline:gpu", GPU, arguments);
        Map<String, GpuStatus> statuses = new LinkedHashMap<>();
        gpus.forEach(g -> {
            GpuStatus status = g.status();
            statuses.put(status.device(), status);
        });
        Table status = Table.of("gpu", "stall control", "stall enabled", "stall re-enable ms", "faults",
                "stalled faults", "lines printed", "lines suppressed", "snapshots", "crash state pending", "recoveries")
                .titled("gpus");
        Table contexts = Table.of("gpu", "context", "domain", "pasid", "ttbr0", "faults", "completed jobs",
                "queued jobs", "mappings").titled("contexts");
        for (GpuStatus s : statuses.values()) {
            status.row(s.device(), s.stallControl(), s.stallEnabled(),
                    TimeUnit.NANOSECONDS.toMillis(s.stallReenableNanos()), s.faults(), s.stalledFaults(),
                    s.linesPrinted(), s.linesSuppressed(), s.snapshots(), s.crashStatePending(), s.recoveries());
            for (ContextStatus c : s.contexts()) {
                contexts.row(s.device(), c.id(), c.domain(), args.json() ? (Object) c.pasid() : hex(c.pasid()),
                        args.json() ? (Object) c.ttbr0() : hex(c.ttbr0()), c.faults(), c.completedJobs(),
                        c.queuedJobs(), c.mappings().size());
            }
        }
        return Table.render(args.json(), args.json() ? status : status.transposed("gpu"), contexts);
    }

    /** Reads and frees a GPU's pending crash state. */
    @Descriptor("read and free a GPU's pending crash state (its snapshot), which lets the next one be captured")
    public String gpucrashstate(@Descriptor(CRASH_STATE) String... arguments) {
        CommandArguments args = CommandArguments.parse("faultline:gpucrashstate", CRASH_STATE, arguments);
        String device = args.text("device");
        Optional<GpuSnapshot> state = gpus.stream().filter(g -> g.status().device().equals(device)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no GPU " + device + " (have " + gpus.stream()
                        .map(g -> g.status().device()).toList() + ")"))
                .readCrashState();
        if (state.isEmpty()) {
            return args.json() ? "{}" : device + " has no pending crash state\n";
        }
        GpuSnapshot s = state.get();
        Table fault = Table.of("gpu", "job", "context", "ttbr0", "iova", "access", "type", "source", "completed steps",
                "scratch").titled("fault");
        fault.row(device, s.job(), s.context(), args.json() ? (Object) s.ttbr0() : hex(s.ttbr0()),
                args.json() ? (Object) s.iova() : hex(s.iova()), s.access().toString(), s.type().toString(), s.source(),
                s.completedSteps(), args.json() ? s.scratch() : s.scratch().stream().map(GpuCommands::hex).toList());
        Table commands = Table.of("step", "kind", "block", "address", "value").titled("commands");
        for (int i = 0; i < s.commands().size(); i++) {
            GpuCommand c = s.commands().get(i);
            commands.row(i, c.kind().name(), c.block().toString(), args.json() ? (Object) c.address() : hex(c.address()),
                    args.json() ? (Object) c.value() : hex(c.value()));
        }
        Table mappings = Table.of("iova", "size", "access").titled("mappings");
        for (GpuMapping m : s.mappings()) {
            mappings.row(args.json() ? (Object) m.iova() : hex(m.iova()), args.json() ? (Object) m.size() : hex(m.size()),
                    m.access().toString());
        }
        return Table.render(args.json(), args.json() ? fault : fault.transposed("field"), commands, mappings);
    }

    private static String hex(long value) {
        return value < 0 ? "none" : String.format(Locale.ROOT, "0x%x", value);
    }
}
