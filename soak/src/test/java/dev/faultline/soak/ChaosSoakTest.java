package dev.faultline.soak;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.stats.FaultCounts;
import dev.faultline.api.stats.HandlerStatus;
import dev.faultline.platform.smmuv3.SmmuStatistics;
import dev.faultline.platform.vtd.UnitCounters;
import dev.faultline.smmuv3.standalone.StandaloneSmmu;
import dev.faultline.vtd.standalone.StandaloneVtd;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The chaos soak: millions of faults through the simulated hardware, the production SMMUv3 and VT-d drivers and
 * the production core, while the run swaps drivers and the core, re-plugs devices, detaches domains, updates
 * handlers (unregistered and registered again while their devices fault: none of their groups may be answered
 * "no handler"), storms a handler into quarantine and bursts unrecoverable faults, and the handlers throw, abandon, answer twice, defer
 * and hang. Seeded ({@code soak.seed}) and bounded ({@code soak.faults}); the CI size is 1.2 million faults,
 * {@code -Psoak} runs 30 million.
 *
 * <p>Each step lets two devices threads fault while the step's chaos happens, waits for every device to have its
 * answers, and then checks, cumulatively since the start:
 * <ul>
 *   <li>at the devices: every page request group and every stall got exactly one answer (no group outstanding, no
 *       response for an index with nothing outstanding, no PASID mix-up, nothing left stalled);</li>
 *   <li>at the hardware: every answer a device got is one the IOMMU sent (a response command or its own answer on
 *       overflow), and every page request is written to the queue or counted as discarded;</li>
 *   <li>at the drivers: every record the hardware wrote was taken off its queue and reported, answered by the
 *       driver, or counted; every fault recording register was delivered, printed or counted;</li>
 *   <li>at the core: every counter set balances, nothing is pending, everything the drivers reported was
 *       counted, and no second answer was accepted.</li>
 * </ul>
 * It prints its figures at the end.
 */
class ChaosSoakTest {
    private static final Duration ANSWER_WAIT = Duration.ofSeconds(30);
    private static final int STEP_FAULTS = 25_000;

    private enum Chaos { SMMU_DRIVER_SWAP, VTD_DRIVER_SWAP, CORE_SWAP, SMMU_REPLUG, VTD_REPLUG, DETACH, THROW_STORM,
        UNRECOVERABLE_BURST, HANDLER_UPDATE }

    private final Map<Chaos, Integer> chaosCount = new EnumMap<>(Chaos.class);
    private int quarantines;
    private int handlerUpdates;
    /** The domain whose handler the step updated and its device's "no handler" count before, or null. */
    private String updated;
    private long noHandlerBeforeUpdate;

    @Test
    void everyFaultIsAnsweredOnceOrCountedThroughSwapsRemovalsOverflowsAndMisbehavingHandlers() throws Exception {
        long seed = Long.getLong("soak.seed", 20261124L);
        long target = Long.getLong("soak.faults", 1_500_000L);
        int steps = (int) Math.max(8, target / STEP_FAULTS);
        SplittableRandom chaos = new SplittableRandom(seed);
        ExecutorService devices = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "soak-device");
            t.setDaemon(true);
            return t;
        });
        long start = System.nanoTime();
        try (SoakMachine m = new SoakMachine()) {
            for (int step = 0; step < steps; step++) {
                CountDownLatch halfway = new CountDownLatch(1); // the chaos starts when either side is halfway
                int perThread = STEP_FAULTS / 2;
                SplittableRandom smmuRandom = new SplittableRandom(seed * 31 + 2L * step);
                SplittableRandom vtdRandom = new SplittableRandom(seed * 31 + 2L * step + 1);
                long base = (long) step * perThread;
                Future<String> smmuSide = devices.submit(() -> smmuDevices(m, smmuRandom, perThread, base, halfway));
                Future<String> vtdSide = devices.submit(() -> priDevices(m.vtdFunctions, vtdRandom, perThread, base,
                        halfway));
                assertThat(halfway.await(ANSWER_WAIT.toSeconds(), TimeUnit.SECONDS)).as("devices progress").isTrue();
                Chaos event = chaosDuringStep(m, chaos, step);
                assertThat(smmuSide.get()).as("SMMUv3 devices after %s in step %d (SMMUv3 answers lost by the drivers: %d)",
                        event, step, m.smmuDrivers().stream().mapToLong(StandaloneSmmu::lostResponses).sum())
                        .isEmpty();
                assertThat(vtdSide.get()).as("VT-d devices after %s in step %d", event, step).isEmpty();
                endOfChaos(m, event);
                awaitRest(m);
                check(m, step, event);
                if ((step + 1) % Math.max(1, steps / 10) == 0) {
                    System.out.printf(Locale.ROOT, "chaos soak: step %d of %d, %d s%n", step + 1, steps,
                            TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start));
                }
            }
            printFigures(m, seed, steps, System.nanoTime() - start);
        } finally {
            devices.shutdownNow();
        }
    }

    // ------------------------------------------------------------------ devices

    /** The SMMUv3 side: PRI functions and stalling masters take turns. */
    private static String smmuDevices(SoakMachine m, SplittableRandom random, int faults, long base,
            CountDownLatch halfway) throws InterruptedException {
        List<PriFunction> functions = m.smmuFunctions;
        List<StallingMaster> masters = m.masters;
        int devices = functions.size() + masters.size();
        for (int i = 0; i < faults; i++) {
            if (i == faults / 2) {
                halfway.countDown();
            }
            int d = random.nextInt(devices);
            HandlerAct act = HandlerAct.draw(random);
            long deadline = System.nanoTime() + ANSWER_WAIT.toNanos();
            if (d < functions.size()) {
                PriFunction f = functions.get(d);
                if (!f.send(SoakMachine.priPage(base + i, act), pages(random), deadline)) {
                    return f + " got no answers for " + ANSWER_WAIT;
                }
            } else {
                StallingMaster s = masters.get(d - functions.size());
                if (!s.issue(act, deadline)) {
                    return s.id + " was left stalled for " + ANSWER_WAIT;
                }
            }
        }
        long deadline = System.nanoTime() + ANSWER_WAIT.toNanos();
        for (StallingMaster s : masters) {
            if (!s.drain(deadline)) {
                return s.id + " was left stalled for " + ANSWER_WAIT;
            }
        }
        return awaitAnswers(functions, deadline);
    }

    /** PRI functions only (the VT-d side). */
    private static String priDevices(List<PriFunction> functions, SplittableRandom random, int faults, long base,
            CountDownLatch halfway) throws InterruptedException {
        for (int i = 0; i < faults; i++) {
            if (i == faults / 2) {
                halfway.countDown();
            }
            PriFunction f = functions.get(random.nextInt(functions.size()));
            HandlerAct act = HandlerAct.draw(random);
            if (!f.send(SoakMachine.priPage(base + i, act), pages(random),
                    System.nanoTime() + ANSWER_WAIT.toNanos())) {
                return f + " got no answers for " + ANSWER_WAIT;
            }
        }
        return awaitAnswers(functions, System.nanoTime() + ANSWER_WAIT.toNanos());
    }

    private static String awaitAnswers(List<PriFunction> functions, long deadline) throws InterruptedException {
        for (PriFunction f : functions) {
            if (!f.awaitAnswers(deadline)) {
                return f + " still waits for " + f.ledger().outstanding() + " answer(s) after " + ANSWER_WAIT;
            }
        }
        return "";
    }

    /** Mostly one page per group, sometimes two or three. */
    private static int pages(SplittableRandom random) {
        int x = random.nextInt(100);
        return x < 85 ? 1 : x < 95 ? 2 : 3;
    }

    // ------------------------------------------------------------------ chaos

    private Chaos chaosDuringStep(SoakMachine m, SplittableRandom random, int step) {
        Chaos event = Chaos.values()[random.nextInt(Chaos.values().length)];
        chaosCount.merge(event, 1, Integer::sum);
        switch (event) {
            case SMMU_DRIVER_SWAP -> m.swapSmmuDriver();
            case VTD_DRIVER_SWAP -> m.swapVtdDriver();
            case CORE_SWAP -> m.swapCore();
            case SMMU_REPLUG -> {
                int n = m.smmuFunctions.size() + m.masters.size();
                int d = random.nextInt(n);
                m.replugSmmuDevice(d < m.smmuFunctions.size() ? m.smmuFunctions.get(d).id
                        : m.masters.get(d - m.smmuFunctions.size()).id);
            }
            case VTD_REPLUG -> m.replugVtdDevice((dev.faultline.api.fault.PciRequesterId)
                    m.vtdFunctions.get(random.nextInt(m.vtdFunctions.size())).id);
            case DETACH -> {
                List<dev.faultline.api.fault.DeviceId> all = new ArrayList<>();
                m.smmuFunctions.forEach(f -> all.add(f.id));
                m.vtdFunctions.forEach(f -> all.add(f.id));
                m.masters.forEach(s -> all.add(s.id));
                m.detachAndReattach(all.get(random.nextInt(all.size())));
            }
            case THROW_STORM -> m.storm("vtd" + random.nextInt(m.vtdFunctions.size()));
            case UNRECOVERABLE_BURST -> m.unrecoverableBurst(100, 0x2000_0000L + ((long) step << 24));
            case HANDLER_UPDATE -> {
                List<String> domains = new ArrayList<>(new TreeSet<>(m.handlers().keySet()));
                updated = domains.get(random.nextInt(domains.size()));
                noHandlerBeforeUpdate = m.noHandlerOf(updated);
                m.update(updated, 100 + random.nextInt(2_000));
                handlerUpdates++;
            }
        }
        return event;
    }

    /** A storm ends with the step: a handler the core quarantined meanwhile registers again. */
    private void endOfChaos(SoakMachine m, Chaos event) {
        if (event == Chaos.HANDLER_UPDATE) {
            assertThat(m.noHandlerOf(updated) - noHandlerBeforeUpdate)
                    .as("groups of %s answered 'no handler' across its update", updated).isZero();
            updated = null;
        }
        if (event == Chaos.THROW_STORM) {
            for (String domain : m.handlers().keySet()) {
                if (m.handlerState(domain) == HandlerStatus.State.QUARANTINED) {
                    quarantines++;
                }
                m.reregister(domain);
            }
        }
    }

    // ------------------------------------------------------------------ checks

    /**
     * Waits until the core is at rest: a device hears its answer before the core has put the group's bookkeeping
     * away, so the counters of the last groups may lag the devices by a moment.
     */
    private static void awaitRest(SoakMachine m) {
        long deadline = System.nanoTime() + ANSWER_WAIT.toNanos();
        while (m.pendingGroups() != 0 || !m.coreTotals().stream().allMatch(FaultCounts::balanced)) {
            if (System.nanoTime() - deadline > 0) {
                return; // check() reports what is off
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private static void check(SoakMachine m, int step, Chaos event) {
        String when = "after step " + step + " (" + event + ")";
        List<PriFunction> all = new ArrayList<>(m.smmuFunctions);
        all.addAll(m.vtdFunctions);
        for (PriFunction f : all) {
            PriFunction.Ledger l = f.ledger();
            assertThat(l.outstanding()).as("%s: %s groups unanswered", when, f).isZero();
            assertThat(l.duplicates()).as("%s: %s second answers", when, f).isZero();
            assertThat(l.pasidMismatches()).as("%s: %s answers with another PASID", when, f).isZero();
            assertThat(l.answered()).as("%s: %s one answer per group", when, f).isEqualTo(l.groups());
        }
        SmmuStatistics smmu = m.smmuCounters();
        assertThat(m.smmu.stalledTransactions()).as("%s: transactions left stalled", when).isZero();
        assertThat(smmu.resumesUnmatched()).as("%s: CMD_RESUMEs for no stalled transaction", when).isZero();
        assertThat(smmu.prgResponsesUndeliverable() + m.unitCounters().responsesUndeliverable())
                .as("%s: responses to nobody", when).isZero();
        long smmuAnswers = m.smmuFunctions.stream().mapToLong(f -> f.ledger().answered()).sum();
        assertThat(smmuAnswers).as("%s: SMMUv3 answers = CMD_PRI_RESPs + answers on overflow", when)
                .isEqualTo(smmu.prgResponsesSent() + smmu.autoResponses());
        long smmuPages = m.smmuFunctions.stream().mapToLong(f -> f.ledger().pages()).sum();
        assertThat(smmuPages).as("%s: SMMUv3 page requests queued or counted as discarded", when)
                .isEqualTo(smmu.priEntriesWritten() + smmu.priEntriesDiscarded());
        assertThat(m.smmuDrivers().stream().mapToLong(StandaloneSmmu::recordsTaken).sum())
                .as("%s: every SMMUv3 record taken by a driver and reported, answered or counted", when)
                .isEqualTo(smmu.eventsWritten() + smmu.priEntriesWritten());
        assertThat(m.smmuDrivers().stream().mapToLong(StandaloneSmmu::lostResponses).sum())
                .as("%s: answers of the core an SMMUv3 driver could not send", when).isZero();
        UnitCounters unit = m.unitCounters();
        long vtdAnswers = m.vtdFunctions.stream().mapToLong(f -> f.ledger().answered()).sum();
        assertThat(vtdAnswers).as("%s: VT-d answers = responses the unit delivered (page group responses and its own)",
                when).isEqualTo(unit.responsesSent());
        assertThat(m.vtdDrivers().stream().mapToLong(StandaloneVtd::pageRequestsTaken).sum())
                .as("%s: every queued VT-d page request taken by a driver", when)
                .isEqualTo(unit.pageRequestsQueued());
        assertThat(m.vtdDrivers().stream().mapToLong(StandaloneVtd::faultRecordsTaken).sum())
                .as("%s: every VT-d fault record delivered, printed or counted", when)
                .isEqualTo(unit.faultsRecorded());
        long reportedByDrivers = m.smmuDrivers().stream().mapToLong(StandaloneSmmu::reported).sum()
                + m.vtdDrivers().stream().mapToLong(StandaloneVtd::reported).sum();
        long coreReported = 0;
        for (FaultCounts c : m.coreTotals()) {
            assertThat(c.balanced()).as("%s: core counters balance: %s", when, c).isTrue();
            coreReported += c.reported();
        }
        assertThat(coreReported).as("%s: the core counted every fault the drivers reported", when)
                .isEqualTo(reportedByDrivers);
        assertThat(m.pendingGroups()).as("%s: groups pending in the core", when).isZero();
        m.handlers().values().forEach(h -> assertThat(h.secondAnswersAccepted())
                .as("%s: second answers accepted by the core", when).isZero());
    }

    // ------------------------------------------------------------------ figures

    private void printFigures(SoakMachine m, long seed, int steps, long nanos) {
        List<PriFunction> all = new ArrayList<>(m.smmuFunctions);
        all.addAll(m.vtdFunctions);
        long groups = 0;
        long pages = 0;
        long[] codes = new long[16];
        for (PriFunction f : all) {
            PriFunction.Ledger l = f.ledger();
            groups += l.groups();
            pages += l.pages();
            for (int i = 0; i < codes.length; i++) {
                codes[i] += l.answers()[i];
            }
        }
        SmmuStatistics smmu = m.smmuCounters();
        UnitCounters unit = m.unitCounters();
        long stalls = m.masters.stream().mapToLong(StallingMaster::stalls).sum();
        long unrecoverable = smmu.eventsWritten() - smmu.stalls() + smmu.eventsDiscarded() + unit.faultsRecorded()
                + unit.faultsOverflowed();
        long faults = pages + stalls + unrecoverable;
        FaultCounts core = sum(m.coreTotals());
        double seconds = nanos / 1e9;
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "chaos soak: seed %d, %d steps, %.1f s%n", seed, steps, seconds));
        out.append(String.format(Locale.ROOT, "faults: %,d = %,d page requests (%,d groups) + %,d stalls + %,d "
                + "unrecoverable; %,.0f per second%n", faults, pages, groups, stalls, unrecoverable, faults / seconds));
        out.append(String.format(Locale.ROOT, "chaos: %s; %d quarantines; %d handler updates, 0 groups"
                + " of updated handlers answered 'no handler'%n", chaosCount, quarantines, handlerUpdates));
        out.append(String.format(Locale.ROOT, "answers at the devices: groups SUCCESS %,d, INVALID %,d, FAILURE %,d "
                + "(%,d of them by the IOMMU itself: overflow, no context); stalls retried %,d, terminated %,d%n",
                codes[0], codes[1], codes[15], smmu.autoResponses() + unit.automaticResponses(),
                m.masters.stream().mapToLong(StallingMaster::translated).sum(),
                m.masters.stream().mapToLong(StallingMaster::aborted).sum()));
        out.append(String.format(Locale.ROOT, "answers by the core: %,d groups: SUCCESS %,d, INVALID %,d, FAILURE %,d; "
                + "%,d unrecoverable delivered%n", core.groups(), core.answeredSuccess(), core.answeredInvalid(),
                core.answeredFailure(), core.delivered()));
        out.append(String.format(Locale.ROOT, "counted drops: hardware %,d PRI pages discarded, %,d events discarded, "
                + "%,d fault records overflowed; drivers %,d records of unplugged devices answered, %,d overflow "
                + "episodes; core %,d partials dropped, %,d discarded, %,d rejected, %,d without handler%n",
                smmu.priEntriesDiscarded() + unit.pageRequestsDiscarded(), smmu.eventsDiscarded(),
                unit.faultsOverflowed(),
                m.smmuDrivers().stream().mapToLong(StandaloneSmmu::unassignedRecords).sum()
                        + m.vtdDrivers().stream().mapToLong(StandaloneVtd::rejectedPageRequests).sum(),
                m.smmuDrivers().stream().mapToLong(StandaloneSmmu::overflows).sum()
                        + m.vtdDrivers().stream().mapToLong(StandaloneVtd::overflows).sum(),
                core.droppedPartials(), core.discardedPartials(), core.rejected(), core.noHandler()));
        out.append(String.format(Locale.ROOT, "handler misbehaviour answered by the core: %,d timed out, %,d "
                + "abandoned, %,d handler errors, %,d queue full, %,d second answers refused%n", core.timedOut(),
                core.abandoned(), core.handlerErrors(), core.queueFull(), core.duplicates()));
        out.append(String.format(Locale.ROOT, "problem lines logged by the drivers: %,d%n", m.problemLines.sum()));
        System.out.print(out);
    }

    private static FaultCounts sum(List<FaultCounts> all) {
        long[] s = new long[20];
        for (FaultCounts c : all) {
            long[] v = {c.reported(), c.parked(), c.droppedPartials(), c.discardedPartials(), c.dispatched(),
                c.delivered(), c.noHandler(), c.rejected(), c.groups(), c.answeredSuccess(), c.answeredInvalid(),
                c.answeredFailure(), c.pending(), c.timedOut(), c.abandoned(), c.handlerErrors(), c.slowCalls(),
                c.duplicates(), c.queueFull(), c.lostResponses()};
            for (int i = 0; i < s.length; i++) {
                s[i] += v[i];
            }
        }
        return FaultCounts.builder().reported(s[0]).parked(s[1]).droppedPartials(s[2]).discardedPartials(s[3])
                .dispatched(s[4]).delivered(s[5]).noHandler(s[6]).rejected(s[7]).groups(s[8])
                .answeredSuccess(s[9]).answeredInvalid(s[10]).answeredFailure(s[11]).pending(s[12])
                .timedOut(s[13]).abandoned(s[14]).handlerErrors(s[15]).slowCalls(s[16]).duplicates(s[17])
                .queueFull(s[18]).lostResponses(s[19]).build();
    }
}
