package dev.faultline.faultlog.internal.shell;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.backend.FaultPipeline;
import dev.faultline.core.shell.ShellCommands;
import dev.faultline.faultlog.DecodedLog;
import dev.faultline.faultlog.DeviceMap;
import dev.faultline.faultlog.IncidentReplay;
import dev.faultline.faultlog.IncidentReport;
import dev.faultline.faultlog.JsonLines;
import dev.faultline.faultlog.LogDecoder;
import dev.faultline.faultlog.ReplayOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Gogo commands {@code faultline:decode} and {@code faultline:replay}. {@code replay} needs the core's
 * {@link FaultPipeline} service, and for {@code --map} the simulated machine ({@link MachineDrivers});
 * {@code decode} works without them. Without a Gogo shell the component is
 * registered and unused (its command package is imported optionally).
 *
 * <p>Each command reads its own arguments against its usage line: an unknown option, a missing file or a value
 * left over is an {@link IllegalArgumentException} whose message gives the reason and, on its second line, the
 * usage (Gogo prints it as the command's answer), never Gogo's own coercion error.
 */
@Component(service = LogCommands.class)
@ShellCommands(function = {"decode", "replay"})
public final class LogCommands {
    static final String DECODE = "faultline:decode [--json] <file>";
    static final String REPLAY = "faultline:replay [--map <log device>=<machine device>]... [--attach <domain>] <file>";

    private final LogDecoder decoder = new LogDecoder();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile FaultPipeline pipeline;

    @Reference
    MachineDrivers drivers;

    /**
     * Decodes a kernel log file: the decoded log (printed as a table), or its JSON Lines text with {@code --json}.
     *
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException if the arguments do not fit the usage line
     */
    @Descriptor("decode the IOMMU fault reports of a kernel log file (a table; --json: one JSON object per fault)")
    public Object decode(@Descriptor("[--json] <file>") String... arguments) throws IOException {
        boolean json = false;
        String file = null;
        for (String argument : arguments) {
            if (argument.equals("--json")) {
                json = true;
            } else {
                file = positional(DECODE, file, argument);
            }
        }
        DecodedLog log = read(required(DECODE, file));
        return json ? JsonLines.toJsonLines(log) : log;
    }

    /**
     * Replays the faults of a kernel log file: those of the devices {@code --map} names into the simulated machine's
     * drivers, the others through the running core.
     *
     * @return the replay report (and the drivers' table with {@code --map})
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException if the arguments do not fit the usage line
     * @throws IllegalStateException if the core's fault pipeline is not running
     */
    @Descriptor("replay the IOMMU faults of a kernel log file through the running core (--map <log device>=<machine"
            + " device>: deliver that logged device's reports to the machine device's driver; --attach: attach every"
            + " replayed device to that DMA domain)")
    public IncidentReport replay(@Descriptor("[--map <a>=<b>]... [--attach <domain>] <file>") String... arguments)
            throws IOException {
        String domain = null;
        String file = null;
        List<String> maps = new ArrayList<>();
        for (int i = 0; i < arguments.length; i++) {
            if (arguments[i].equals("--attach") || arguments[i].equals("--map")) {
                if (i + 1 == arguments.length || arguments[i + 1].startsWith("--")) {
                    throw usage(REPLAY, arguments[i] + (arguments[i].equals("--map")
                            ? " needs <log device>=<machine device>" : " needs a <domain>"));
                }
                if (arguments[i].equals("--map")) {
                    maps.add(arguments[++i]);
                } else {
                    domain = arguments[++i];
                }
            } else {
                file = positional(REPLAY, file, arguments[i]);
            }
        }
        String path = required(REPLAY, file);
        DeviceMap map;
        try {
            map = DeviceMap.parse(maps);
        } catch (IllegalArgumentException e) {
            throw usage(REPLAY, e.getMessage());
        }
        FaultPipeline p = pipeline;
        if (p == null) {
            throw new IllegalStateException("no fault pipeline: the Faultline core is not running");
        }
        ReplayOptions options = ReplayOptions.defaults();
        if (domain != null) {
            options = options.attachEveryDevice(Domain.dma(domain));
        }
        return new IncidentReplay(p, drivers.replayer()).replay(read(path), options, map);
    }

    private static String positional(String usage, String previous, String argument) {
        if (argument.startsWith("--")) {
            throw usage(usage, "unknown option " + argument);
        }
        if (previous != null) {
            throw usage(usage, "too many arguments: " + argument);
        }
        return argument;
    }

    private static String required(String usage, String file) {
        if (file == null) {
            throw usage(usage, "missing <file>");
        }
        return file;
    }

    private static IllegalArgumentException usage(String usage, String reason) {
        return new IllegalArgumentException(reason + "\nusage: " + usage);
    }

    private DecodedLog read(String file) throws IOException {
        return decoder.decode(Path.of(file));
    }
}
