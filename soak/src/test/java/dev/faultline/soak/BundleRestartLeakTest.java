package dev.faultline.soak;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.fault.ResponseCode;
import dev.faultline.smmuv3.SmmuDomains;
import dev.faultline.vtd.VtdIommu;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;

/**
 * A thousand ({@code soak.restarts}) restarts of the core and both backend bundles in a real Felix while devices
 * keep faulting, every 50th one an update to a new version with a refresh (new class loaders), leave no thread and
 * no heap behind: after the restarts, live threads are back to the count before them (give or take two) and the
 * heap retained after garbage collection has grown by less than 16 MiB beyond the memory the simulated machine
 * itself allocated for the drivers; and every group the devices sent had exactly one answer.
 */
class BundleRestartLeakTest {
    private static final int WARM_UP = 30;
    private static final long HEAP_SLACK = 16L << 20;
    private static final int THREAD_SLACK = 2;
    private static final List<String> BUNDLES = List.of(FelixMachine.SMMU_V3, FelixMachine.INTEL_VTD,
            FelixMachine.CORE);

    @Test
    void restartingTheCoreAndBackendsAThousandTimesLeavesNoThreadsAndNoHeapBehind(@TempDir Path storage)
            throws Exception {
        int restarts = Integer.getInteger("soak.restarts", 1000);
        try (FelixMachine m = new FelixMachine(storage)) {
            m.handler(m.answering(ResponseCode.SUCCESS));
            m.startFaulting(5);
            for (int i = 0; i < WARM_UP; i++) {
                restart(m, i);
            }
            assertThat(m.stopFaulting()).isEmpty();
            Footprint before = Footprint.measure(m);

            long start = System.nanoTime();
            m.startFaulting(6);
            for (int i = WARM_UP; i < WARM_UP + restarts; i++) {
                restart(m, i);
            }
            assertThat(m.stopFaulting()).as("the devices during the restarts").isEmpty();
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            Footprint after = Footprint.settled(m, before);

            for (PriFunction f : List.of(m.smmuFunction, m.vtdFunction)) {
                PriFunction.Ledger l = f.ledger();
                assertThat(l.answered()).as("%s: one answer per group", f).isEqualTo(l.groups());
                assertThat(l.duplicates()).isZero();
            }
            assertThat(m.smmu.stalledTransactions()).isZero();
            long machineGrowth = (after.residentPages - before.residentPages) * 4096L;
            System.out.printf(Locale.ROOT, "bundle restarts: %d in %.1f s (%d updates), %,d groups answered; live "
                    + "threads %d -> %d; heap after GC %,d -> %,d bytes (simulated machine memory +%,d)%n", restarts,
                    millis / 1000.0, restarts / 50, m.smmuFunction.ledger().groups() + m.vtdFunction.ledger().groups(),
                    before.threads, after.threads, before.heap, after.heap, machineGrowth);
            assertThat(after.threads).as("live threads").isLessThanOrEqualTo(before.threads + THREAD_SLACK);
            assertThat(after.heap - before.heap - machineGrowth).as("heap retained beyond the machine's memory")
                    .isLessThan(HEAP_SLACK);
        }
    }

    /** Restart {@code i}: the bundles in turn; every 50th an update to a new version with a refresh. */
    private static void restart(FelixMachine m, int i) throws Exception {
        String bsn = BUNDLES.get(i % BUNDLES.size());
        if (i % 50 == 49) {
            m.felix.update(bsn, "1.0." + (i + 1) + ".restart", Map.of(), () -> { });
        } else {
            Bundle b = m.felix.bundle(bsn);
            b.stop();
            b.start();
        }
        // both backends are back (a core restart restarts them too) before the next one goes
        m.felix.service(SmmuDomains.class, "(iommu.name=" + FelixMachine.SMMU + ")");
        m.felix.service(VtdIommu.class, "(" + VtdIommu.NAME_PROPERTY + "=" + FelixMachine.DMAR + ")");
    }

    /** Live threads, heap used after garbage collection, and the simulated machine's resident pages. */
    private record Footprint(int threads, long heap, int residentPages) {
        private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
        private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

        static Footprint measure(FelixMachine m) {
            for (int i = 0; i < 3; i++) {
                System.gc();
            }
            return new Footprint(THREADS.getThreadCount(), MEMORY.getHeapMemoryUsage().getUsed(),
                    m.machine.memory().residentPages());
        }

        /**
         * Measures once threads that were stopping have ended (bounded: they are joined by the drivers, but a
         * framework thread may take a moment).
         */
        static Footprint settled(FelixMachine m, Footprint before) {
            long deadline = System.nanoTime() + EmbeddedFelix.WAIT.toNanos();
            Footprint now = measure(m);
            while (now.threads > before.threads + THREAD_SLACK && System.nanoTime() - deadline < 0) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                now = measure(m);
            }
            return now;
        }
    }
}
