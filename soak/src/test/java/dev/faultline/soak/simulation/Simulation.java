package dev.faultline.soak.simulation;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.PciRequesterId;
import dev.faultline.api.stats.FaultCounts;
import dev.faultline.platform.smmuv3.SmmuStatistics;
import dev.faultline.platform.vtd.UnitCounters;
import dev.faultline.smmuv3.standalone.StandaloneSmmu;
import dev.faultline.vtd.standalone.StandaloneVtd;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * One deterministic run of the chaos soak: a {@link SimMachine} driven by one {@link Scheduler} from one seed, in
 * phases. Each phase lets the devices issue their faults while one chaos event happens at a random moment, then
 * runs until every device has its answers and checks the ledgers of devices, hardware, drivers and core. After
 * every event it checks what must hold at every moment: no device heard a second answer or another PASID's, every
 * answer a handler gave and the core accepted reached its device at once (and none it refused), no second answer
 * accepted, and the running core's counters balance (a retired core's are checked at rest).
 */
final class Simulation {
    /** The system property that replays one seed (as the property tests' {@code faultline.seed}). */
    static final String SEED_PROPERTY = "faultline.seed";
    /** The system property that runs the seeded bug (for replaying its failures). */
    static final String BUG_PROPERTY = "simulation.bug";
    /** Its value: the watchdog answers a blocked inline call without claiming it. */
    static final String WATCHDOG_WITHOUT_CLAIM = "watchdog-without-claim";
    private static final long REST_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** The chaos a phase brings. */
    enum Chaos { SMMU_DRIVER_SWAP, VTD_DRIVER_SWAP, CORE_SWAP, SMMU_REPLUG, VTD_REPLUG, DETACH, THROW_STORM,
        UNRECOVERABLE_BURST, HANDLER_UPDATE, GUEST_FLOOD }

    /**
     * What to run.
     *
     * @param seed the seed of every choice
     * @param phases phases (one chaos event each)
     * @param faultsPerPhase page request groups and stalling writes the devices issue per phase
     * @param brokenWatchdog whether to run the seeded bug
     * @param keepTrace whether to keep the whole trace text
     */
    record Config(long seed, int phases, int faultsPerPhase, boolean brokenWatchdog, boolean keepTrace) {
        /** The command that replays this run. */
        String replayCommand() {
            return "./mvnw -B verify -pl soak -am -Dsurefire.failIfNoSpecifiedTests=false -Dtest="
                    + DeterministicSoakTest.class.getSimpleName() + " -D" + SEED_PROPERTY + "=" + seed
                    + (brokenWatchdog ? " -D" + BUG_PROPERTY + "=" + WATCHDOG_WITHOUT_CLAIM : "");
        }
    }

    /**
     * What a run did.
     *
     * @param traceSha256 the hash of the whole event trace
     * @param trace the whole trace, if it was kept
     * @param traceLines lines of the trace
     * @param steps events run
     * @param virtualNanos the virtual time the run took
     * @param groups page request groups the PRI functions sent
     * @param writes stalling writes issued
     * @param guestWrites stalling writes the guest's device issued (each answered by the guest's CMD_RESUME or the
     *     host)
     * @param chaos chaos events by kind
     */
    record Result(long seed, String traceSha256, String trace, long traceLines, long steps, long virtualNanos,
            long groups, long writes, long guestWrites, Map<Chaos, Integer> chaos) {
    }

    private final Config config;
    private final Trace trace;
    private final Scheduler scheduler;
    private final Map<Chaos, Integer> chaosCount = new EnumMap<>(Chaos.class);

    private Simulation(Config config) {
        this.config = config;
        this.trace = new Trace(config.keepTrace());
        this.scheduler = new Scheduler(config.seed(), trace);
    }

    /**
     * Runs {@code config}.
     *
     * @throws SimulationFailure if an invariant broke
     */
    static Result run(Config config) {
        return new Simulation(config).run();
    }

    private Result run() {
        try (SimMachine m = new SimMachine(scheduler, config.brokenWatchdog())) {
            for (int phase = 0; phase < config.phases(); phase++) {
                phase(m, phase);
            }
            long groups = m.smmuFunctions.stream().mapToLong(SimPriFunction::groups).sum()
                    + m.vtdFunctions.stream().mapToLong(SimPriFunction::groups).sum();
            long writes = m.masters.stream().mapToLong(SimStallingMaster::issued).sum();
            return new Result(config.seed(), trace.sha256(), trace.text(), trace.lines(), scheduler.steps(),
                    scheduler.now() - Scheduler.ORIGIN, groups, writes, m.guest.master.issued(), chaosCount);
        }
    }

    private void phase(SimMachine m, int phase) {
        scheduler.trace("phase " + phase);
        m.startDevices(config.faultsPerPhase());
        SplittableRandom random = scheduler.random();
        Chaos event = Chaos.values()[random.nextInt(Chaos.values().length)];
        chaosCount.merge(event, 1, Integer::sum);
        long at = scheduler.delay(0, TimeUnit.MICROSECONDS.toNanos(500));
        switch (event) {
            case SMMU_DRIVER_SWAP -> m.swapSmmuDriver(at);
            case VTD_DRIVER_SWAP -> m.swapVtdDriver(at);
            case CORE_SWAP -> m.swapCore(at);
            case SMMU_REPLUG -> {
                int d = random.nextInt(m.smmuFunctions.size() + m.masters.size());
                m.replugSmmuDevice(at, d < m.smmuFunctions.size() ? m.smmuFunctions.get(d).id
                        : m.masters.get(d - m.smmuFunctions.size()).id);
            }
            case VTD_REPLUG -> m.replugVtdDevice(at,
                    (PciRequesterId) m.vtdFunctions.get(random.nextInt(m.vtdFunctions.size())).id);
            case DETACH -> {
                List<DeviceId> all = m.devices();
                m.detachAndReattach(at, all.get(random.nextInt(all.size())));
            }
            case THROW_STORM -> {
                List<String> domains = m.domains();
                m.storm(at, domains.get(random.nextInt(domains.size())));
            }
            case UNRECOVERABLE_BURST -> m.unrecoverableBurst(at, 100, 0x2000_0000L + ((long) phase << 24));
            case GUEST_FLOOD -> m.guestFlood(at, 200, phase);
            case HANDLER_UPDATE -> {
                List<String> domains = m.domains();
                m.update(at, domains.get(random.nextInt(domains.size())),
                        scheduler.delay(0, TimeUnit.MILLISECONDS.toNanos(2)));
            }
        }
        long limit = scheduler.now() + REST_LIMIT_NANOS;
        boolean rest = scheduler.runUntil(() -> m.phaseIssued() && m.devicesAtRest() && m.pendingGroups() == 0,
                limit, () -> everyStep(m));
        if (!rest) {
            fail("phase " + phase + " (" + event + "): not at rest after " + REST_LIMIT_NANOS / 1_000_000
                    + " ms of virtual time: " + waiting(m));
        }
        atRest(m, "after phase " + phase + " (" + event + ")");
        if (event == Chaos.THROW_STORM) {
            scheduler.trace("every handler registers again (ends the storm)");
            m.endStorms();
        }
    }

    /** What must hold after every event. */
    private void everyStep(SimMachine m) {
        if (m.violations.any()) {
            fail(m.violations.first());
        }
        m.guest.everyStep();
        if (m.violations.any()) {
            fail(m.violations.first());
        }
        FaultCounts c = m.runningCoreTotals();
        if (!c.balanced()) {
            fail("the core's counters do not balance: " + c);
        }
    }

    /** What must hold at rest: the ledgers of devices, hardware, drivers and core agree. */
    private void atRest(SimMachine m, String when) {
        SmmuStatistics smmu = m.smmu.statistics();
        UnitCounters unit = m.unit.counters();
        expect(m.smmu.stalledTransactions() == 0, when, "transactions left stalled");
        expect(smmu.resumesUnmatched() == 0, when, "CMD_RESUMEs for no stalled transaction");
        expect(smmu.prgResponsesUndeliverable() + unit.responsesUndeliverable() == 0, when, "responses to nobody");
        long smmuAnswers = m.smmuFunctions.stream().mapToLong(SimPriFunction::answered).sum();
        expect(smmuAnswers == smmu.prgResponsesSent() + smmu.autoResponses(), when,
                "SMMUv3 answers heard " + smmuAnswers + " != CMD_PRI_RESPs + answers on overflow "
                        + (smmu.prgResponsesSent() + smmu.autoResponses()));
        long smmuPages = m.smmuFunctions.stream().mapToLong(SimPriFunction::pages).sum();
        expect(smmuPages == smmu.priEntriesWritten() + smmu.priEntriesDiscarded(), when,
                "SMMUv3 page requests not all queued or counted as discarded");
        expect(m.smmuDrivers().stream().mapToLong(StandaloneSmmu::recordsTaken).sum()
                == smmu.eventsWritten() + smmu.priEntriesWritten(), when,
                "SMMUv3 records not all taken by a driver and reported, answered or counted");
        expect(m.smmuDrivers().stream().mapToLong(StandaloneSmmu::lostResponses).sum() == 0, when,
                "answers of the core an SMMUv3 driver could not send");
        long vtdAnswers = m.vtdFunctions.stream().mapToLong(SimPriFunction::answered).sum();
        expect(vtdAnswers == unit.responsesSent(), when,
                "VT-d answers heard " + vtdAnswers + " != responses the unit delivered " + unit.responsesSent());
        expect(m.vtdDrivers().stream().mapToLong(StandaloneVtd::pageRequestsTaken).sum()
                == unit.pageRequestsQueued(), when, "VT-d page requests not all taken by a driver");
        expect(m.vtdDrivers().stream().mapToLong(StandaloneVtd::faultRecordsTaken).sum() == unit.faultsRecorded(),
                when, "VT-d fault records not all delivered, printed or counted");
        long reportedByDrivers = m.smmuDrivers().stream().mapToLong(StandaloneSmmu::reported).sum()
                + m.vtdDrivers().stream().mapToLong(StandaloneVtd::reported).sum();
        for (FaultCounts c : m.coreTotals()) {
            expect(c.balanced(), when, "a core's counters do not balance: " + c);
        }
        long coreReported = m.coreTotals().stream().mapToLong(FaultCounts::reported).sum();
        expect(coreReported == reportedByDrivers, when, "the core counted " + coreReported
                + " faults, the drivers reported " + reportedByDrivers);
        m.guest.atRest(when);
        if (m.violations.any()) {
            fail(m.violations.first());
        }
    }

    private void expect(boolean holds, String when, String what) {
        if (!holds) {
            fail(when + ": " + what);
        }
    }

    private static String waiting(SimMachine m) {
        StringBuilder s = new StringBuilder();
        m.smmuFunctions.forEach(f -> s.append(f).append(" waits for ").append(f.outstanding()).append("; "));
        m.vtdFunctions.forEach(f -> s.append(f).append(" waits for ").append(f.outstanding()).append("; "));
        m.masters.forEach(w -> s.append(w).append(" has ").append(w.inFlight()).append(" in flight; "));
        s.append(m.guest.master).append(" has ").append(m.guest.master.inFlight()).append(" in flight; ");
        return s.append(m.pendingGroups()).append(" pending in the core").toString();
    }

    private void fail(String violation) {
        throw new SimulationFailure(config, scheduler.steps(), scheduler.now(), violation, trace.tail(), trace.text());
    }
}
