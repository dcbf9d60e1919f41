package dev.faultline.drivers.remoteproc.internal.shell;

import dev.faultline.drivers.remoteproc.Coredump;
import dev.faultline.drivers.remoteproc.CoredumpSegment;
import dev.faultline.drivers.remoteproc.RemoteProcessor;
import dev.faultline.drivers.remoteproc.RprocStatus;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** Gogo commands of scope {@code faultline} for remote processors. They return data. */
@Component(service = RemoteprocCommands.class)
@ShellCommands(scope = "faultline", function = {"rproc", "rprocrecover", "rproccoredump"})
public final class RemoteprocCommands {
    private final List<RemoteProcessor> processors = new CopyOnWriteArrayList<>();

    /** One coredump segment as the shell shows it. */
    public record Segment(String name, String deviceAddress, int size) {
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addProcessor(RemoteProcessor processor) {
        processors.add(processor);
    }

    void removeProcessor(RemoteProcessor processor) {
        processors.remove(processor);
    }

    /** Every processor's status. */
    @Descriptor("remote processors: state, crashes, coalesced reports, recoveries, crash-loop halts, last crash")
    public List<RprocStatus> rproc() {
        return processors.stream().map(RemoteProcessor::status).toList();
    }

    /** Recovers a crashed processor now. */
    @Descriptor("recover a crashed remote processor now (resets the crash-loop history)")
    public boolean rprocrecover(@Descriptor("processor name, e.g. adsp") String name) {
        return processor(name).recover();
    }

    /** The segments of the last coredump. */
    @Descriptor("segments of a remote processor's last coredump")
    public List<Segment> rproccoredump(@Descriptor("processor name, e.g. adsp") String name) {
        return processor(name).lastCoredump().map(Coredump::segments).orElse(List.of()).stream()
                .map(RemoteprocCommands::segment).toList();
    }

    private static Segment segment(CoredumpSegment s) {
        return new Segment(s.name(), String.format("0x%x", s.deviceAddress()), s.size());
    }

    private RemoteProcessor processor(String name) {
        return processors.stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no remote processor " + name + " (have "
                        + processors.stream().map(RemoteProcessor::name).toList() + ")"));
    }
}
