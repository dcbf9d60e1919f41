package dev.faultline.benchmarks;

import dev.faultline.platform.dma.DmaResult;
import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * End to end ({@link EndToEndRig}): DMA access, table walk, queued record, driver fault thread, core, handler,
 * response command, device resumes. One device thread (the benchmark thread) and the driver's fault thread.
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
@State(Scope.Benchmark)
public class EndToEndBenchmark {
    /** The hardware path. */
    @Param({"smmuv3-stall", "smmuv3-pri", "vtd-prq"})
    public String protocol;

    /**
     * {@code none}, or {@code blocked}: a second device behind the same IOMMU has a handler call blocked for the
     * whole trial (the backend went on with its queues on a fresh thread when the core found the call blocked).
     */
    @Param({"none", "blocked"})
    public String neighbour;

    private EndToEndRig rig;

    /** Builds the machine, driver and core, and checks that one access is one fault that completes. */
    @Setup(Level.Trial)
    public void start() {
        rig = new EndToEndRig(EndToEndRig.Protocol.parse(protocol), neighbour.equals("blocked"));
        for (int i = 0; i < 100; i++) {
            rig.faultOnce();
        }
    }

    /** Stops the driver and the core. */
    @TearDown(Level.Trial)
    public void stop() {
        rig.close();
    }

    /**
     * The CPU the whole process spent per iteration (all threads: device, driver fault thread, core, GC),
     * from which the report derives faults per second per core: faults / CPU-seconds.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class CpuTime {
        private final OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        private long start;
        /** Process CPU nanoseconds of the iteration. */
        public long cpuNanos;
        /** Faults of the iteration. */
        public long faults;

        /** Starts the iteration's count. */
        @Setup(Level.Iteration)
        public void begin() {
            cpuNanos = 0;
            faults = 0;
            start = os.getProcessCpuTime();
        }

        /** Ends it. */
        @TearDown(Level.Iteration)
        public void end() {
            cpuNanos = os.getProcessCpuTime() - start;
        }
    }

    /** One fault, from the device's access to its completion. */
    @Benchmark
    @BenchmarkMode({Mode.Throughput, Mode.SampleTime})
    public DmaResult fault(CpuTime cpu) {
        cpu.faults++;
        return rig.faultOnce();
    }
}
