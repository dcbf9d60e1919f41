package dev.faultline.demo.internal;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * The processors and the load of the machine the demo ran on: what the tail of a wall-clock latency depends on
 * (a fault thread that waits for a CPU waits whatever the code does).
 *
 * @param processors processors available to the JVM
 * @param loadAverage the system load average over the last minute, negative where the system has none
 */
record HostLoad(int processors, double loadAverage) {

    /** This machine, now. */
    static HostLoad now() {
        return new HostLoad(Runtime.getRuntime().availableProcessors(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    /** For example {@code 2 CPUs, load average 23.5 (11.8 runnable threads per CPU)}. */
    String describe() {
        String cpus = processors + (processors == 1 ? " CPU" : " CPUs");
        if (loadAverage < 0) {
            return cpus + ", load average unknown";
        }
        return String.format(Locale.ROOT, "%s, load average %.1f (%.1f runnable threads per CPU)", cpus, loadAverage,
                loadAverage / processors);
    }
}
