package dev.faultline.benchmarks;

/** One fault source's entry into a dispatch path: decode the record at {@code base}, dispatch it. One thread at a time. */
@FunctionalInterface
interface Sender {
    /** Decodes the record at word {@code base} of {@code ring} and dispatches it. */
    void dispatch(long[] ring, int base);
}
