package dev.faultline.soak.simulation;

import dev.faultline.soak.simulation.Simulation.Chaos;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The chaos soak in the deterministic simulation, over many seeds: each seed fixes every interleaving and every
 * timing of devices, drivers, core and handlers, and a failing seed is replayed exactly with the command its failure
 * prints ({@code -Dfaultline.seed=<seed>}). Without a seed each build takes fresh ones ({@code simulation.seeds} of
 * them); it prints one line with what ran. {@code -Dsimulation.trace=<file>} with a seed writes the run's whole event
 * trace to the file.
 *
 * <p>A run is one Java thread, so a simulated actor that waits for another (a lock the simulation failed to model)
 * would wait for ever: a seed still running after {@code simulation.seedLimitSeconds} (120 s; a seed takes well
 * under a second) prints its replay command and every thread's stack (to the JVM's stderr and
 * {@value #HANG_REPORT}), and ends the test JVM, which cannot interrupt such a wait.
 */
class DeterministicSoakTest {
    private static final int PHASES = Integer.getInteger("simulation.phases", 12);
    private static final int FAULTS_PER_PHASE = Integer.getInteger("simulation.faults", 600);
    private static final long SEED_LIMIT_SECONDS = Long.getLong("simulation.seedLimitSeconds", 120);
    /** Where a seed past its limit is reported (the module's build directory). */
    private static final String HANG_REPORT = "target/deterministic-soak-hang.txt";

    @Test
    void everySeedKeepsEveryInvariantThroughSwapsRemovalsOverflowsAndMisbehavingHandlers() {
        String replay = System.getProperty(Simulation.SEED_PROPERTY);
        boolean bug = Simulation.WATCHDOG_WITHOUT_CLAIM.equals(System.getProperty(Simulation.BUG_PROPERTY));
        long[] seeds;
        if (replay != null && !replay.isBlank()) {
            seeds = new long[] {Long.parseLong(replay.trim())};
        } else {
            int n = Integer.getInteger("simulation.seeds", 40);
            SplittableRandom fresh = new SplittableRandom();
            seeds = new long[n];
            for (int i = 0; i < n; i++) {
                seeds[i] = fresh.nextLong();
            }
        }
        long start = System.nanoTime();
        long steps = 0;
        long groups = 0;
        long writes = 0;
        long guestWrites = 0;
        long virtualNanos = 0;
        Map<Chaos, Integer> chaos = new EnumMap<>(Chaos.class);
        String traceFile = System.getProperty("simulation.trace");
        boolean keep = traceFile != null && seeds.length == 1;
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "deterministic-soak-watchdog");
            t.setDaemon(true);
            return t;
        });
        try {
            for (long seed : seeds) {
                Simulation.Config config = new Simulation.Config(seed, PHASES, FAULTS_PER_PHASE, bug, keep);
                ScheduledFuture<?> limit = watchdog.schedule(() -> hung(config), SEED_LIMIT_SECONDS, TimeUnit.SECONDS);
                try {
                    Simulation.Result r = run(config, traceFile);
                    steps += r.steps();
                    groups += r.groups();
                    writes += r.writes();
                    guestWrites += r.guestWrites();
                    virtualNanos += r.virtualNanos();
                    r.chaos().forEach((k, v) -> chaos.merge(k, v, Integer::sum));
                } finally {
                    limit.cancel(false);
                }
            }
        } finally {
            watchdog.shutdownNow();
        }
        System.out.printf(Locale.ROOT, "deterministic soak: %d seed(s) from %d, %,d events, %,d page request groups"
                + " and %,d stalling writes (%,d of them a guest's, answered through its virtual SMMUv3), %d ms of"
                + " virtual time, chaos %s, %.1f s%n", seeds.length, seeds[0], steps, groups, writes + guestWrites,
                guestWrites, TimeUnit.NANOSECONDS.toMillis(virtualNanos), chaos,
                (System.nanoTime() - start) / 1e9);
    }

    private static Simulation.Result run(Simulation.Config config, String traceFile) {
        Simulation.Result r;
        try {
            r = Simulation.run(config);
        } catch (SimulationFailure f) {
            if (config.keepTrace()) {
                write(traceFile, f.trace());
            }
            throw f;
        }
        if (config.keepTrace()) {
            write(traceFile, r.trace());
        }
        return r;
    }

    /** A seed ran past its limit: what to replay, where every thread is, and the end of the JVM. */
    private static void hung(Simulation.Config config) {
        StringBuilder s = new StringBuilder("deterministic soak: seed " + config.seed() + " still running after "
                + SEED_LIMIT_SECONDS + " s; replay: " + config.replayCommand() + "\n");
        for (ThreadInfo t : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
            s.append(t.getThreadName()).append(' ').append(t.getThreadState()).append('\n');
            for (StackTraceElement e : t.getStackTrace()) {
                s.append("    at ").append(e).append('\n');
            }
        }
        // past the test runner's capture of System.err, which the halt would lose: the JVM's own stderr and a file
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        err.print(s);
        try {
            Files.writeString(Path.of(HANG_REPORT), s);
        } catch (IOException e) {
            err.println("cannot write " + HANG_REPORT + ": " + e);
        }
        Runtime.getRuntime().halt(3);
    }

    private static void write(String file, String trace) {
        try {
            Files.writeString(Path.of(file), trace);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the trace to " + file, e);
        }
    }
}
