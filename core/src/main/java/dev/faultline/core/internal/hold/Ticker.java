package dev.faultline.core.internal.hold;

/** The core's source of time, {@link System#nanoTime()} in production; tests drive their own. */
@FunctionalInterface
public interface Ticker {
    /** The system ticker. */
    Ticker SYSTEM = System::nanoTime;

    /** Now, in nanoseconds from an arbitrary origin. */
    long nanoTime();
}
