package dev.faultline.drivers.remoteproc.internal.shell;

import dev.faultline.core.shell.CommandArguments;
import dev.faultline.core.shell.ShellCommands;
import dev.faultline.core.shell.Table;
import dev.faultline.drivers.remoteproc.Coredump;
import dev.faultline.drivers.remoteproc.CoredumpSegment;
import dev.faultline.drivers.remoteproc.Crash;
import dev.faultline.drivers.remoteproc.RemoteProcessor;
import dev.faultline.drivers.remoteproc.RprocStatus;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Gogo commands of scope {@code faultline} for remote processors: {@code rproc}, {@code rprocrecover},
 * {@code rproccoredump}. Each prints a table, or JSON with {@code --json}.
 */
@Component(service = RemoteprocCommands.class)
@ShellCommands(function = {"rproc", "rprocrecover", "rproccoredump"})
public final class RemoteprocCommands {
    static final String LIST = "[--json]";
    static final String ONE = "[--json] <processor>";

    private final List<RemoteProcessor> processors = new CopyOnWriteArrayList<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addProcessor(RemoteProcessor processor) {
        processors.add(processor);
    }

    void removeProcessor(RemoteProcessor processor) {
        processors.remove(processor);
    }

    /** Every processor's status. */
    @Descriptor("remote processors: state, crashes, coalesced reports, recoveries, crash-loop halts, last crash")
    public String rproc(@Descriptor(LIST) String... arguments) {
        CommandArguments args = CommandArguments.parse("faultline:rproc", LIST, arguments);
        Table table = Table.of("processor", "device", "domain", "state", "firmware", "crashes", "coalesced reports",
                "recoveries", "recovery enabled", "crash-loop halts", "last crash");
        for (RemoteProcessor processor : processors) {
            RprocStatus s = processor.status();
            table.row(s.name(), s.device(), s.domain(), s.state().name(), s.firmware(), s.crashCount(),
                    s.coalescedReports(), s.recoveries(), s.recoveryEnabled(), s.crashLoopHalts(),
                    s.lastCrash().map(RemoteprocCommands::crash).orElse(null));
        }
        return Table.render(args.json(), args.json() ? table : table.transposed("processor"));
    }

    private static String crash(Crash c) {
        return String.format(Locale.ROOT, "#%d %s at 0x%x (%s)", c.number(), c.type(), c.deviceAddress(), c.access());
    }

    /** Recovers a crashed processor now. */
    @Descriptor("recover a crashed remote processor now (resets the crash-loop history)")
    public String rprocrecover(@Descriptor(ONE) String... arguments) {
        CommandArguments args = CommandArguments.parse("faultline:rprocrecover", ONE, arguments);
        RemoteProcessor processor = processor(args.text("processor"));
        boolean recovered = processor.recover();
        Table table = Table.of("processor", "recovered", "state");
        table.row(processor.name(), recovered, processor.status().state().name());
        return Table.render(args.json(), table);
    }

    /** The segments of the last coredump. */
    @Descriptor("segments of a remote processor's last coredump")
    public String rproccoredump(@Descriptor(ONE) String... arguments) {
        CommandArguments args = CommandArguments.parse("faultline:rproccoredump", ONE, arguments);
        List<CoredumpSegment> segments = processor(args.text("processor")).lastCoredump().map(Coredump::segments)
                .orElse(List.of());
        Table table = Table.of("segment", "device address", "size");
        for (CoredumpSegment s : segments) {
            table.row(s.name(), args.json() ? (Object) s.deviceAddress()
                    : String.format(Locale.ROOT, "0x%x", s.deviceAddress()), s.size());
        }
        return Table.render(args.json(), table);
    }

    private RemoteProcessor processor(String name) {
        return processors.stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no remote processor " + name + " (have "
                        + processors.stream().map(RemoteProcessor::name).toList() + ")"));
    }
}
