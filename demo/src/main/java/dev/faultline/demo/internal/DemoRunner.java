package dev.faultline.demo.internal;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.stats.FaultCounts;
import dev.faultline.api.stats.FaultStatistics;
import dev.faultline.demo.DemoReport;
import dev.faultline.demo.DemoScenario;
import dev.faultline.demo.StepResult;
import dev.faultline.shell.config.ConfigurationSettled;
import dev.faultline.shell.console.ExpectedLog;
import dev.faultline.platform.machine.DeviceNode;
import dev.faultline.platform.machine.Machine;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Runs the demo: makes sure the machine is configured, runs each step, and reads the core's counters before
 * and after.
 */
@Component(service = DemoScenario.class)
public final class DemoRunner implements DemoScenario {
    /** How long a step waits for a service or an outcome. */
    private static final long WAIT_MILLIS = 20_000;
    private static final int LATENCY_SAMPLES = 4096;
    /** How long a step disturbed by a backend or driver replaced under it is run again. */
    private static final long RERUN_MILLIS = 120_000;

    private final BundleContext context;
    private final ConfigurationAdmin configurationAdmin;
    private final ExpectedLog expectedLog;

    /** The component. */
    @Activate
    public DemoRunner(BundleContext context, @Reference ConfigurationAdmin configurationAdmin,
            @Reference ExpectedLog expectedLog) {
        this.context = context;
        this.configurationAdmin = configurationAdmin;
        this.expectedLog = expectedLog;
    }

    @Override
    public synchronized DemoReport run(Consumer<String> progress) {
        long start = System.nanoTime();
        LatencyRecorder latency = new LatencyRecorder(LATENCY_SAMPLES);
        RecoveryCounts recoveries = new RecoveryCounts();
        GuestCounts guests = new GuestCounts();
        List<DemoStep> steps = List.of(new SvaPagingStep(latency), new DeferredPagingStep(), new UsnicStep(),
                new RemoteprocStep(recoveries), new GpuStep(recoveries), new GuestStep(guests));
        List<StepResult> results = new ArrayList<>();
        FaultCounts before;
        FaultCounts after;
        boolean balanced;
        try (DemoServices services = new DemoServices(context, WAIT_MILLIS);
                Departures departures = new Departures(context)) {
            progress.accept("[0/" + steps.size() + "] configuring the machine");
            Optional<FaultStatistics> statistics = prepare(services);
            if (statistics.isEmpty()) {
                return new DemoReport(List.of(Checks.notRun("the demo",
                        "the core is not running (no FaultStatistics service)")), zero(), false, List.of(),
                        latency.summary(), elapsedMillis(start));
            }
            before = statistics.get().totals();
            expectedLog.newRun();
            for (int i = 0; i < steps.size(); i++) {
                DemoStep step = steps.get(i);
                String label = (i + 1) + "/" + steps.size();
                progress.accept("[" + label + "] " + step.title());
                expectedLog.expect(label, step.expectedLogSources(), System.currentTimeMillis());
                try {
                    results.add(run(step, services, departures));
                } finally {
                    expectedLog.end(System.currentTimeMillis());
                }
            }
            services.until(() -> statistics.get().totals().pending() == 0);
            after = statistics.get().totals();
            balanced = after.balanced();
        }
        return new DemoReport(results, minus(after, before), balanced, recoveries.all(), latency.summary(),
                guests.summary(), elapsedMillis(start));
    }

    /**
     * Configures what the machine lacks and waits until Declarative Services applied every configuration
     * ({@link ConfigurationSettled}): a component configured late would otherwise restart under a step, taking
     * the services it uses away (a VT-d backend replaced while the step attaches its device).
     */
    private Optional<FaultStatistics> prepare(DemoServices services) {
        try {
            DemoTopology.ensure(configurationAdmin);
            if (!new ConfigurationSettled(context, configurationAdmin).await(WAIT_MILLIS)) {
                throw new IllegalStateException("the machine's configuration was not applied within " + WAIT_MILLIS
                        + " ms");
            }
            services.until(this::machineReady);
            return services.await(FaultStatistics.class, null);
        } catch (IOException | InvalidSyntaxException e) {
            throw new IllegalStateException("cannot configure the demo machine: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while configuring the demo machine", e);
        }
    }

    /** Whether a machine with every demo device is registered (after a configuration change it restarts). */
    private boolean machineReady() {
        ServiceReference<Machine> reference = context.getServiceReference(Machine.class);
        Machine machine = reference == null ? null : context.getService(reference);
        if (machine == null) {
            return false;
        }
        try {
            List<DeviceId> present = machine.devices().stream().map(DeviceNode::id).toList();
            return DemoTopology.DEVICES.stream()
                    .allMatch(node -> present.contains(DeviceId.parse(node.substring(0, node.lastIndexOf('@')))));
        } finally {
            context.ungetService(reference);
        }
    }

    /**
     * Runs a step; a step that fails while a service of another bundle went away (a backend or driver replaced
     * under it, whose stale service then refuses) runs again with the services registered now, until it passes,
     * fails with nothing replaced meanwhile, or {@link #RERUN_MILLIS} have passed. The facts say how often.
     */
    private static StepResult run(DemoStep step, DemoServices services, Departures departures) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RERUN_MILLIS);
        int reruns = 0;
        while (true) {
            long departuresBefore = departures.count();
            StepResult result = attempt(step, services);
            boolean disturbed = departures.count() != departuresBefore;
            if (result.outcome() != StepResult.Outcome.FAILED || !disturbed || System.nanoTime() - deadline > 0) {
                return reruns == 0 ? result : withReruns(result, reruns);
            }
            services.unregisterHandlers();
            reruns++;
        }
    }

    private static StepResult withReruns(StepResult result, int reruns) {
        List<String> facts = new ArrayList<>(result.facts());
        facts.add("run " + (reruns + 1) + " times: a backend or driver it used was replaced during "
                + (reruns == 1 ? "the first run" : "the first " + reruns + " runs"));
        return new StepResult(result.title(), result.outcome(), facts);
    }

    private static StepResult attempt(DemoStep step, DemoServices services) {
        try {
            return step.run(services);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new StepResult(step.title(), StepResult.Outcome.FAILED, List.of("interrupted"));
        } catch (Exception | LinkageError e) {
            return new StepResult(step.title(), StepResult.Outcome.FAILED, List.of("FAILED: " + e));
        }
    }

    private static long elapsedMillis(long start) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    private static FaultCounts zero() {
        return FaultCounts.builder().build();
    }

    /** The counters accumulated between two snapshots ({@code pending} is the later snapshot's). */
    static FaultCounts minus(FaultCounts a, FaultCounts b) {
        return FaultCounts.builder().reported(a.reported() - b.reported()).parked(a.parked() - b.parked())
                .droppedPartials(a.droppedPartials() - b.droppedPartials())
                .discardedPartials(a.discardedPartials() - b.discardedPartials())
                .dispatched(a.dispatched() - b.dispatched()).delivered(a.delivered() - b.delivered())
                .noHandler(a.noHandler() - b.noHandler()).rejected(a.rejected() - b.rejected())
                .groups(a.groups() - b.groups()).answeredSuccess(a.answeredSuccess() - b.answeredSuccess())
                .answeredInvalid(a.answeredInvalid() - b.answeredInvalid())
                .answeredFailure(a.answeredFailure() - b.answeredFailure()).pending(a.pending())
                .timedOut(a.timedOut() - b.timedOut()).abandoned(a.abandoned() - b.abandoned())
                .handlerErrors(a.handlerErrors() - b.handlerErrors()).slowCalls(a.slowCalls() - b.slowCalls())
                .duplicates(a.duplicates() - b.duplicates()).queueFull(a.queueFull() - b.queueFull())
                .lostResponses(a.lostResponses() - b.lostResponses()).build();
    }
}
