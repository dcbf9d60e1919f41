package dev.faultline.soak.simulation;

import dev.faultline.soak.simulation.Simulation.Chaos;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The chaos soak in the deterministic simulation, over many seeds: each seed fixes every interleaving and every
 * timing of devices, drivers, core and handlers, and a failing seed is replayed exactly with the command its failure
 * prints ({@code -Dfaultline.seed=<seed>}). Without a seed each build takes fresh ones ({@code simulation.seeds} of
 * them); it prints one line with what ran. {@code -Dsimulation.trace=<file>} with a seed writes the run's whole event
 * trace to the file.
 */
class DeterministicSoakTest {
    private static final int PHASES = Integer.getInteger("simulation.phases", 12);
    private static final int FAULTS_PER_PHASE = Integer.getInteger("simulation.faults", 600);

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
        for (long seed : seeds) {
            Simulation.Result r;
            try {
                r = Simulation.run(new Simulation.Config(seed, PHASES, FAULTS_PER_PHASE, bug, keep));
            } catch (SimulationFailure f) {
                if (keep) {
                    write(traceFile, f.trace());
                }
                throw f;
            }
            if (keep) {
                write(traceFile, r.trace());
            }
            steps += r.steps();
            groups += r.groups();
            writes += r.writes();
            guestWrites += r.guestWrites();
            virtualNanos += r.virtualNanos();
            r.chaos().forEach((k, v) -> chaos.merge(k, v, Integer::sum));
        }
        System.out.printf(Locale.ROOT, "deterministic soak: %d seed(s) from %d, %,d events, %,d page request groups"
                + " and %,d stalling writes (%,d of them a guest's, answered through its virtual SMMUv3), %d ms of"
                + " virtual time, chaos %s, %.1f s%n", seeds.length, seeds[0], steps, groups, writes + guestWrites,
                guestWrites, TimeUnit.NANOSECONDS.toMillis(virtualNanos), chaos,
                (System.nanoTime() - start) / 1e9);
    }

    private static void write(String file, String trace) {
        try {
            Files.writeString(Path.of(file), trace);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the trace to " + file, e);
        }
    }
}
