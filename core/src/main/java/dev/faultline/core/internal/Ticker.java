package dev.faultline.core.internal;

/** The core's source of time, {@link System#nanoTime()} in production; tests drive their own. */
@FunctionalInterface
interface Ticker {
    /** The system ticker. */
    Ticker SYSTEM = System::nanoTime;

    /** Now, in nanoseconds from an arbitrary origin. */
    long nanoTime();
}
