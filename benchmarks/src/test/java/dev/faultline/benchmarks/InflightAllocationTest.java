package dev.faultline.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What the whole simulated machine allocates per fault with many faults in flight (every thread of the JVM, so the
 * drivers' fault threads and the core's helpers count too), after warm-up. The drivers and the core allocate
 * nothing per fault; the bound of each path is what its hardware model still allocates, by the platform API:
 * <ul>
 *   <li>one {@code DmaTransaction} per access the device issues ({@code TranslationPort.issue} returns a new one):
 *       one per stall, two per page request (the translation request, then its retry);</li>
 *   <li>the {@code TranslationTable} / {@code FirstLevelPageTable} bookkeeping of the rig's unmap (the OS side);</li>
 *   <li>PRI: a {@code PrgResponseMessage} per response (a value of the wire API); VT-d: the first-level walker's
 *       {@code WalkResult}s (the x86 walker has no reusable carrier yet).</li>
 * </ul>
 * Measured: JMH {@code gc.alloc.rate.norm} 77, 116 and 241 B with 64 faults in flight (from 823, 790 and about
 * 360 B before the models' carriers); this test, counting every thread of the test JVM, about 120 and 230 B on the
 * SMMUv3 paths. Each bound is that with a third or more on top, so a per-fault allocation coming back (a boxed
 * key, a decoded record, a list per response: 16-48 B each, several per fault) fails, while the run-to-run spread
 * of the test JVM's own threads does not.
 */
class InflightAllocationTest {
    private static final int WARM_UP = 30_000;
    private static final int FAULTS = 30_000;

    @ParameterizedTest
    @CsvSource({"SMMUV3_STALL, 160", "SMMUV3_PRI, 320", "VTD_PRQ, 400"})
    void theMachineAllocatesAtMostItsModelsRemainingValuesPerFault(EndToEndRig.Protocol protocol, int bound) {
        var threads = ManagementFactory.getThreadMXBean();
        assumeTrue(threads instanceof com.sun.management.ThreadMXBean t && t.isThreadAllocatedMemorySupported(),
                "thread allocation counters");
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) threads;
        try (InflightRig rig = new InflightRig(protocol, 8, 8)) {
            rig.startAll();
            run(rig, WARM_UP);
            long before = allocated(mx);
            run(rig, FAULTS);
            long perFault = (allocated(mx) - before) / FAULTS;
            for (int i = 0; i < rig.lanes(); i++) {
                rig.next();
            }
            assertThat(perFault).as("bytes per fault, %s", protocol).isLessThanOrEqualTo(bound);
        }
    }

    private static void run(InflightRig rig, int faults) {
        for (int i = 0; i < faults; i++) {
            rig.fault(rig.next());
        }
    }

    /** Bytes allocated so far by every live thread. */
    private static long allocated(com.sun.management.ThreadMXBean mx) {
        long[] ids = mx.getAllThreadIds();
        return Arrays.stream(mx.getThreadAllocatedBytes(ids)).filter(b -> b > 0).sum();
    }
}
