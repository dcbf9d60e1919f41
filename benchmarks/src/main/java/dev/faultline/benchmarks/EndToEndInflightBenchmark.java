package dev.faultline.benchmarks;

import java.util.concurrent.TimeUnit;
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
 * End to end with many faults in flight ({@link InflightRig}): {@code devices} × {@code pasids} lanes behind one
 * IOMMU, each with one fault in flight, the backend draining its queue in batches and answering each batch with one
 * CMD_SYNC or invalidation wait. One operation is one fault completed (the device's access translated and written
 * after its fault was handled) and the lane faulted again. The benchmark thread plays every device; the driver's
 * fault thread does the rest. With 1 device and 1 PASID it is the serial round trip (one fault at a time), the
 * row to set beside the others. Read with {@code -prof dev.faultline.benchmarks.CpuTimeProfiler}: faults per
 * CPU-second = 10^9 / {@code cpu.time.norm}.
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
public class EndToEndInflightBenchmark {
    /** The hardware path. */
    @Param({"smmuv3-stall", "smmuv3-pri", "vtd-prq"})
    public String protocol;

    /** Devices behind the IOMMU. */
    @Param({"1", "8"})
    public int devices;

    /** PASIDs each device faults on at once (on an SMMUv3 stall with 1: no PASID). */
    @Param({"1", "8"})
    public int pasids;

    private InflightRig rig;

    /** Builds the machine, driver and core, checks a few rounds of every lane, and puts every lane in flight. */
    @Setup(Level.Trial)
    public void start() {
        rig = new InflightRig(EndToEndRig.Protocol.parse(protocol), devices, pasids);
        rig.startAll();
        for (int i = 0; i < 4 * rig.lanes(); i++) {
            rig.fault(rig.next());
        }
    }

    /** Stops the driver and the core (every lane's last fault completes first). */
    @TearDown(Level.Trial)
    public void stop() {
        for (int i = 0; i < rig.lanes(); i++) {
            rig.next();
        }
        rig.close();
    }

    /** One fault completed, and its lane faulted again. */
    @Benchmark
    public int fault() {
        int lane = rig.next();
        rig.fault(lane);
        return lane;
    }
}
