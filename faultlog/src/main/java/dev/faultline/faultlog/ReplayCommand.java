package dev.faultline.faultlog;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.backend.FaultPipeline;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code faultline replay [--map <log device>=<machine device>]... [--attach <domain>]
 * [--domain-type dma|unmanaged|sva] [--timeout <seconds>] <file|->}: decodes a kernel log and replays it
 * ({@link IncidentReplay}): the mapped devices' reports into the simulated machine's drivers, the others through
 * the running core in the replay namespace; then prints the report.
 *
 * <p>Exit codes: {@value #OK} replayed and every owed page response came once, {@value #FAILED} the input
 * could not be read or the replay was not clean (see {@link ReplayReport#clean()}), {@value #USAGE} bad
 * arguments.
 */
public final class ReplayCommand {
    /** Exit code: replayed, clean. */
    public static final int OK = 0;
    /** Exit code: unreadable input or a replay that was not clean. */
    public static final int FAILED = 1;
    /** Exit code: bad arguments. */
    public static final int USAGE = 2;

    static final String USAGE_TEXT = "usage: faultline replay [--map <log device>=<machine device>]..."
            + " [--attach <domain>] [--domain-type dma|unmanaged|sva] [--timeout <seconds>] <file|->";

    private final LogDecoder decoder = new LogDecoder();
    private final FaultPipeline pipeline;
    private final Optional<DriverReplayer> drivers;

    /** A command replaying into {@code pipeline} only ({@code --map} is refused). */
    public ReplayCommand(FaultPipeline pipeline) {
        this(pipeline, Optional.empty());
    }

    /** A command replaying into {@code pipeline}, and into the machine's drivers for {@code --map}. */
    public ReplayCommand(FaultPipeline pipeline, Optional<DriverReplayer> drivers) {
        this.pipeline = pipeline;
        this.drivers = drivers;
    }

    /**
     * Runs the command.
     *
     * @param args the options and the file ({@code -} for standard input)
     * @param in standard input
     * @param out where the report goes
     * @param err where errors and usage go
     * @return the exit code
     */
    public int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        String file = null;
        String domain = null;
        String type = "dma";
        ReplayOptions options = ReplayOptions.defaults();
        List<String> maps = new ArrayList<>();
        DeviceMap map;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "-h", "--help" -> {
                        out.println(USAGE_TEXT);
                        return OK;
                    }
                    case "--attach" -> domain = value(args, ++i);
                    case "--map" -> maps.add(value(args, ++i));
                    case "--domain-type" -> type = value(args, ++i).toLowerCase(Locale.ROOT);
                    case "--timeout" -> options = options.withResponseTimeout(seconds(value(args, ++i)));
                    default -> {
                        if (file != null || args[i].startsWith("-") && !args[i].equals("-")) {
                            throw new IllegalArgumentException("unexpected argument '" + args[i] + "'");
                        }
                        file = args[i];
                    }
                }
            }
            if (file == null) {
                throw new IllegalArgumentException("which log? give a file, or - for standard input");
            }
            if (domain != null) {
                options = options.attachEveryDevice(domain(type, domain));
            }
            map = DeviceMap.parse(maps);
            if (!map.isEmpty() && drivers.isEmpty()) {
                throw new IllegalArgumentException("--map needs the simulated machine, and none is running");
            }
        } catch (IllegalArgumentException e) {
            err.println("replay: " + e.getMessage());
            err.println(USAGE_TEXT);
            return USAGE;
        }
        DecodedLog log;
        try {
            log = LogInput.decode(decoder, file, in);
        } catch (IOException e) {
            err.println("replay: cannot read " + LogInput.describe(file, e));
            return FAILED;
        }
        IncidentReport report = new IncidentReplay(pipeline, drivers).replay(log, options, map);
        out.print(report.render());
        out.flush();
        return report.clean() ? OK : FAILED;
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    private static Duration seconds(String text) {
        try {
            long s = Long.parseLong(text);
            if (s < 0) {
                throw new NumberFormatException();
            }
            return Duration.ofSeconds(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--timeout takes whole seconds, not '" + text + "'");
        }
    }

    private static Domain domain(String type, String name) {
        return switch (type) {
            case "dma" -> Domain.dma(name);
            case "unmanaged" -> Domain.unmanaged(name);
            case "sva" -> Domain.sva(name);
            default -> throw new IllegalArgumentException("--domain-type is dma, unmanaged or sva, not '" + type + "'");
        };
    }
}
