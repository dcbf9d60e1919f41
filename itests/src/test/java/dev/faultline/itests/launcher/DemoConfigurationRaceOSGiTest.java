package dev.faultline.itests.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.demo.DemoReport;
import dev.faultline.demo.DemoScenario;
import dev.faultline.demo.StepResult;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

/**
 * The demo on a machine too busy to deliver configuration promptly: Config Admin's event thread is held while
 * the demo writes the VT-d backend's configuration, so Declarative Services hears of it late and would replace
 * the unconfigured backend (and announce its devices again) under a running step ({@code device ... was
 * removed}, {@code dmar0 is not running}). The demo must not start a step until every configuration it wrote
 * has been applied, however late that is.
 */
class DemoConfigurationRaceOSGiTest {
    private static final String BACKEND_FACTORY_PID = "dev.faultline.vtd";
    private static final String STALL_PID = "dev.faultline.itests.stall";
    /** How long the event thread is held: far longer than the demo needs to reach its first step. */
    private static final long STALL_MILLIS = 4_000;

    @InjectBundleContext
    BundleContext context;

    @InjectService
    ConfigurationAdmin admin;

    @InjectService(timeout = 20_000)
    DemoScenario demo;

    @Test
    void noStepStartsWhileAConfigurationTheDemoWroteIsUndelivered() throws Exception {
        // the machine and its units are configured; then the VT-d backend's configuration goes, so that the demo
        // finds the backend unconfigured (running with its defaults) and writes its configuration
        assertThat(demo.run(line -> { }).passed()).as("a first run configures the machine").isTrue();
        Configuration[] backends = admin.listConfigurations("(service.factoryPid=" + BACKEND_FACTORY_PID + ")");
        assertThat(backends).isNotNull();
        for (Configuration backend : backends) {
            backend.delete();
        }
        awaitDelivered();
        EventThreadStall stall = new EventThreadStall();
        ServiceRegistration<ConfigurationListener> registration =
                context.registerService(ConfigurationListener.class, stall, null);
        Configuration trigger = admin.getConfiguration(STALL_PID, "?");
        try {
            trigger.update(new Hashtable<>(Map.of("stall.ms", STALL_MILLIS)));
            assertThat(stall.engaged.await(20, TimeUnit.SECONDS)).as("the event thread is held").isTrue();

            AtomicBoolean stepStartedWhileStalled = new AtomicBoolean();
            CompletableFuture<DemoReport> run = CompletableFuture.supplyAsync(() -> demo.run(line -> {
                if (line.startsWith("[1/") && stall.release()) {
                    stepStartedWhileStalled.set(true);
                }
            }));
            DemoReport report = run.get(120, TimeUnit.SECONDS);

            assertThat(stepStartedWhileStalled).as("a step started before the VT-d backend's configuration was"
                    + " delivered").isFalse();
            assertThat(report.steps()).allSatisfy(step -> assertThat(step.outcome())
                    .as(step.title() + ": " + step.facts()).isEqualTo(StepResult.Outcome.PASSED));
            assertThat(report.passed()).isTrue();
            assertThat(admin.listConfigurations("(service.factoryPid=" + BACKEND_FACTORY_PID + ")"))
                    .as("the demo configured the backend").isNotNull();
        } finally {
            stall.release();
            registration.unregister();
            trigger.delete();
        }
    }

    /** Waits until Config Admin delivered every event so far (each listener gets them in order, one at a time). */
    private void awaitDelivered() throws Exception {
        Configuration marker = admin.getConfiguration("dev.faultline.itests.marker", "?");
        CountDownLatch delivered = new CountDownLatch(1);
        ServiceRegistration<ConfigurationListener> listener = context.registerService(ConfigurationListener.class,
                event -> {
                    if (event.getPid().equals(marker.getPid())) {
                        delivered.countDown();
                    }
                }, null);
        try {
            marker.update(new Hashtable<>(Map.of("at", System.nanoTime())));
            assertThat(delivered.await(20, TimeUnit.SECONDS)).as("configuration events delivered").isTrue();
        } finally {
            listener.unregister();
            marker.delete();
        }
    }

    /** Holds Config Admin's event thread on the trigger's event until released, or for {@link #STALL_MILLIS}. */
    private static final class EventThreadStall implements ConfigurationListener {
        final CountDownLatch engaged = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);
        private volatile boolean over;

        @Override
        public void configurationEvent(ConfigurationEvent event) {
            if (event.getType() != ConfigurationEvent.CM_UPDATED || !STALL_PID.equals(event.getPid())) {
                return;
            }
            engaged.countDown();
            try {
                released.await(STALL_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                over = true;
            }
        }

        /** Releases the thread; returns whether it was still held. */
        boolean release() {
            boolean held = engaged.getCount() == 0 && !over;
            released.countDown();
            return held;
        }
    }
}
