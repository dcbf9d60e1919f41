package dev.faultline.console.internal.jmx;

/** The answer latency of page request groups (receipt to answer, a sample: see the console's README). */
public interface LatencyMXBean {
    /** Groups timed. */
    long getAnswerLatencySamples();

    /** The median answer latency, in nanoseconds (0 without samples). */
    long getAnswerLatencyP50Nanos();

    /** The 99th percentile answer latency, in nanoseconds (0 without samples). */
    long getAnswerLatencyP99Nanos();

    /** The longest answer latency timed, in nanoseconds. */
    long getAnswerLatencyMaxNanos();
}
