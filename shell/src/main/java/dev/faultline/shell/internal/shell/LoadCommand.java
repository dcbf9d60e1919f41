package dev.faultline.shell.internal.shell;

import dev.faultline.api.fault.Pasid;
import dev.faultline.api.stats.DeviceStatus;
import dev.faultline.api.stats.FaultCounts;
import dev.faultline.api.stats.FaultStatistics;
import dev.faultline.core.shell.CommandArguments;
import dev.faultline.core.shell.ShellCommands;
import dev.faultline.core.shell.Table;
import dev.faultline.shell.console.StatusLine;
import dev.faultline.platform.dma.DmaDevice;
import dev.faultline.platform.dma.DmaResult;
import dev.faultline.platform.dma.DmaStatus;
import dev.faultline.platform.dma.TranslationPort;
import dev.faultline.platform.machine.DeviceNode;
import dev.faultline.platform.machine.Machine;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code faultline:load}: continuous DMA from one device through its IOMMU and the backend driving it, at a
 * given rate for a given time, touching pages in a pattern ({@link LoadPattern}): every fault goes through the
 * real hardware queues, the backend and the core to the handlers serving the device. While it runs, a progress
 * line shows the accesses so far and how they ended ({@code --quiet}: none); at the end, tables of the accesses
 * by outcome, their latency (from the access to its end, the fault's round trip included) and the core's
 * answers for the device during the run.
 */
@Component(service = LoadCommand.class)
@ShellCommands(function = "load")
public final class LoadCommand {
    static final String USAGE = "[--json] [--quiet] [--random] [--same] <device> <r|w|x> <rate> <seconds> [<pasid>]"
            + " [<address>]";

    /** Accesses per second at most. */
    static final long MAX_RATE = 100_000;
    /** Seconds at most. */
    static final long MAX_SECONDS = 3_600;
    /** The first page when no address is given. */
    static final long DEFAULT_BASE = 0x4000_0000L;
    private static final long INPUT_LIMIT = 1L << 48;
    private static final Duration DMA_TIMEOUT = Duration.ofSeconds(2);
    private static final long PROGRESS_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final long SETTLE_MILLIS = 50;
    private static final long SETTLE_LIMIT_MILLIS = 2_000;
    private static final long NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);

    private final Machine machine;
    private final FaultStatistics statistics;
    private final StatusLine status;

    /** The component. */
    @Activate
    public LoadCommand(@Reference Machine machine, @Reference FaultStatistics statistics,
            @Reference StatusLine status) {
        this.machine = machine;
        this.statistics = statistics;
        this.status = status;
    }

    /** Runs DMA load from one device. */
    @Descriptor("continuous DMA from a device through its IOMMU's backend: <rate> accesses per second for <seconds>,"
            + " to the next page each time (--random: a random page, --same: one page); a progress line (--quiet:"
            + " none), then the accesses by outcome, their latency and the core's answers")
    public String load(@Descriptor(USAGE) String... arguments) {
        CommandArguments args = CommandArguments.parse("faultline:load", USAGE, arguments);
        DeviceNode node = MachineDevices.node(machine, args);
        String access = args.text("r|w|x").toLowerCase(Locale.ROOT);
        if (!List.of("r", "w", "x").contains(access)) {
            throw args.error("access is r, w or x, not '" + args.text("r|w|x") + "'");
        }
        long rate = args.number("rate", 1, MAX_RATE);
        long seconds = args.number("seconds", 1, MAX_SECONDS);
        int pasid = (int) args.optionalNumber("pasid", 1, Pasid.MAX).orElse(Pasid.NONE);
        long base = args.optionalNumber("address", 0, INPUT_LIMIT - 1).orElse(DEFAULT_BASE);
        if (base % LoadPattern.PAGE != 0 || base + LoadPattern.WINDOW_PAGES * LoadPattern.PAGE > INPUT_LIMIT) {
            throw args.error("<address> is the first page of the 1 GiB the load touches: 4 KiB aligned and below"
                    + " 0x" + Long.toHexString(INPUT_LIMIT - LoadPattern.WINDOW_PAGES * LoadPattern.PAGE));
        }
        if (args.has("--random") && args.has("--same")) {
            throw args.error("--random and --same exclude each other");
        }
        LoadPattern pattern = args.has("--random") ? LoadPattern.RANDOM
                : args.has("--same") ? LoadPattern.SAME : LoadPattern.SEQUENTIAL;
        TranslationPort port = MachineDevices.port(machine, node);
        FaultCounts before = counts(node);
        Outcome outcome;
        DmaDevice device = MachineDevices.master(machine, node, port, "load-" + node.id(), pasid != Pasid.NONE);
        try {
            outcome = run(device, node, access, pasid, base, pattern, rate, seconds, !args.has("--quiet"));
        } finally {
            if (node.pri()) {
                port.disconnect(node.requesterId());
            }
            status.clear();
        }
        return render(args.json(), node, access, pattern, pasid, rate, outcome, delta(settled(node), before));
    }

    /** What a run did. */
    private record Outcome(long accesses, long nanos, Map<DmaStatus, Long> byStatus, long pageRequests, long stalls,
            LatencySample latency, boolean interrupted) {
    }

    private Outcome run(DmaDevice device, DeviceNode node, String access, int pasid, long base, LoadPattern pattern,
            long rate, long seconds, boolean progress) {
        Map<DmaStatus, Long> byStatus = new EnumMap<>(DmaStatus.class);
        LatencySample latency = new LatencySample();
        SplittableRandom random = new SplittableRandom(base);
        byte[] data = new byte[8];
        long period = NANOS_PER_SECOND / rate;
        long start = System.nanoTime();
        long end = start + seconds * NANOS_PER_SECOND;
        long nextProgress = start + PROGRESS_NANOS;
        long pageRequests = 0;
        long stalls = 0;
        long i = 0;
        boolean interrupted = false;
        while (true) {
            long due = start + i * period;
            if (due - end >= 0) {
                break;
            }
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            if (Thread.currentThread().isInterrupted()) {
                interrupted = true;
                break;
            }
            long address = pattern.address(base, i, random);
            long issued = System.nanoTime();
            DmaResult result = switch (access) {
                case "r" -> device.read(pasid, address, 8, DMA_TIMEOUT);
                case "w" -> device.write(pasid, address, data, DMA_TIMEOUT);
                default -> device.fetch(pasid, address, 8, DMA_TIMEOUT);
            };
            long now = System.nanoTime();
            latency.record(now - issued);
            byStatus.merge(result.status(), 1L, Long::sum);
            pageRequests += result.pageRequests();
            stalls += result.stalls();
            i++;
            if (progress && now - nextProgress >= 0) {
                nextProgress = now + PROGRESS_NANOS;
                status.show(progressLine(node, i, now - start, seconds, byStatus));
            }
        }
        return new Outcome(i, System.nanoTime() - start, byStatus, pageRequests, stalls, latency, interrupted);
    }

    private static String progressLine(DeviceNode node, long accesses, long elapsed, long seconds,
            Map<DmaStatus, Long> byStatus) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "load %s %d/%d s: %d accesses (%d/s)",
                node.id(), elapsed / NANOS_PER_SECOND, seconds, accesses,
                accesses * NANOS_PER_SECOND / Math.max(1, elapsed)));
        byStatus.forEach((s, n) -> line.append(", ").append(n).append(' ').append(s.name().toLowerCase(Locale.ROOT)));
        return line.toString();
    }

    /**
     * The device's counters once the faults of the last accesses reached the core (the backend drains its queues
     * on its own thread): nothing pending and no change for {@value #SETTLE_MILLIS} ms, or what they are after
     * {@value #SETTLE_LIMIT_MILLIS} ms.
     */
    private FaultCounts settled(DeviceNode node) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SETTLE_LIMIT_MILLIS);
        FaultCounts last = counts(node);
        while (System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(SETTLE_MILLIS));
            FaultCounts now = counts(node);
            if (now == null || now.equals(last) && now.pending() == 0) {
                return now;
            }
            last = now;
        }
        return last;
    }

    private FaultCounts counts(DeviceNode node) {
        String id = node.id().toString();
        return statistics.devices().stream().filter(d -> d.device().equals(id) && d.present())
                .map(DeviceStatus::counts).findFirst().orElse(null);
    }

    /** The device's counters accumulated during the run (zero when the core never saw the device). */
    private static long[] delta(FaultCounts after, FaultCounts before) {
        if (after == null) {
            return new long[7];
        }
        FaultCounts b = before == null ? zero() : before;
        return new long[] {after.reported() - b.reported(), after.groups() - b.groups(),
            after.answeredSuccess() - b.answeredSuccess(), after.answeredInvalid() - b.answeredInvalid(),
            after.answeredFailure() - b.answeredFailure(), after.noHandler() - b.noHandler(),
            after.timedOut() - b.timedOut()};
    }

    private static FaultCounts zero() {
        return FaultCounts.builder().build();
    }

    private static String render(boolean json, DeviceNode node, String access, LoadPattern pattern, int pasid,
            long rate, Outcome o, long[] core) {
        double seconds = o.nanos() / (double) NANOS_PER_SECOND;
        Table load = Table.of("device", "iommu", "faults via", "access", "pattern", "pasid", "rate asked", "seconds",
                "accesses", "per second", "page requests", "stalls", "interrupted").titled("load");
        load.row(node.id().toString(), node.iommu(), MachineDevices.faultsVia(node), access, pattern.label(),
                json ? (pasid == Pasid.NONE ? null : (Object) pasid) : Pasid.format(pasid), rate,
                json ? (Object) seconds : String.format(Locale.ROOT, "%.1f", seconds), o.accesses(),
                Math.round(o.accesses() / Math.max(seconds, 1e-9)), o.pageRequests(), o.stalls(),
                json ? (Object) o.interrupted() : o.interrupted() ? "yes" : "no");
        Table outcomes = Table.of("outcome", "accesses").titled("accesses by outcome");
        for (DmaStatus s : DmaStatus.values()) {
            long n = o.byStatus().getOrDefault(s, 0L);
            if (n > 0 || json) {
                outcomes.row(s.name(), n);
            }
        }
        Table latency = Table.of("accesses", "p50 us", "p99 us", "max us").titled("latency (access to its end)");
        latency.row(o.latency().count(), micros(json, o.latency().percentile(50)),
                micros(json, o.latency().percentile(99)), micros(json, o.latency().max()));
        Table answers = Table.of("reported", "groups", "SUCCESS", "INVALID", "FAILURE", "no handler", "timed out")
                .titled("core answers for the device");
        answers.row(core[0], core[1], core[2], core[3], core[4], core[5], core[6]);
        return Table.render(json, load, outcomes, latency, answers);
    }

    private static Object micros(boolean json, long nanos) {
        double micros = nanos / 1000.0;
        return json ? (Object) micros : String.format(Locale.ROOT, "%.1f", micros);
    }
}
