package dev.faultline.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What the whole simulated machine allocates per fault with 64 faults in flight (8 devices x 8 PASIDs), counting
 * every thread of the test JVM (the drivers' fault threads, the core's helpers and the JVM's own threads), after
 * warm-up: nothing. Each device reuses one transaction per lane ({@code DmaTransaction.reopen()} and
 * {@code TranslationPort.issue(DmaTransaction)}, as a PCIe requester reuses a tag), a PRI function takes its PRG
 * responses as fields ({@code PrgResponseReceiver.receive(int, int, int, int)}), and the IOMMU models translate,
 * queue and answer through reused carriers and primitive-keyed tables.
 *
 * <p>Measured with this test: 0-1 B per fault on each of the three paths (from 73, 232 and 341 B before the
 * reusable transactions and carriers), the byte being the test JVM's own threads spread over the faults. JMH
 * {@code gc.alloc.rate.norm} agrees: 0.03 to 0.08 B per fault in each measured iteration (before: 76, 117 and
 * 237 B), the last iteration aside, which also counts the trial's teardown. The bound, {@value #BOUND} B per fault
 * over {@value #FAULTS} faults, leaves {@value #BOUND} x {@value #FAULTS} bytes for that noise, while any object a
 * fault allocates again (a boxed key or a record of 16-24 B, once per fault or more) exceeds it at least twice over.
 */
class InflightAllocationTest {
    private static final int WARM_UP = 30_000;
    private static final int FAULTS = 100_000;
    private static final int BOUND = 8;

    @ParameterizedTest
    @EnumSource(EndToEndRig.Protocol.class)
    void theMachineAllocatesNothingPerFault(EndToEndRig.Protocol protocol) {
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
            assertThat(perFault).as("bytes per fault, %s", protocol).isLessThanOrEqualTo(BOUND);
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
