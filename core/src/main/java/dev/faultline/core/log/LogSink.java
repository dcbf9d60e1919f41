package dev.faultline.core.log;

import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Where a bundle's log lines go: the OSGi log in a framework ({@link OsgiLogSink}), a standalone user's
 * consumers outside one ({@link #of}), a list in tests. Every Faultline bundle writes its host log through one of
 * these. Lines are final text, complete (device prefix included where the kernel prints one) and without trailing
 * newline; the kernel's levels map to the methods: {@code pr_err}/{@code dev_err} to {@link #error(String)},
 * {@code pr_warn}/{@code dev_warn} (and printk's "callbacks suppressed") to {@link #warn}, {@code pr_info}/{@code
 * dev_info} to {@link #info}. Rate limiting is the caller's ({@link RateLimiter}): a sink prints what it is given.
 *
 * <p>Implementations must be thread-safe and must not block for long: lines are written from fault threads.
 */
@ConsumerType
public interface LogSink {
    /** A sink that drops every line. */
    LogSink NONE = of(line -> { }, line -> { }, line -> { });

    /** An error, with its cause ({@code null} if none). */
    void error(String line, @Nullable Throwable cause);

    /** An error without a cause. */
    default void error(String line) {
        error(line, null);
    }

    /** A warning. */
    void warn(String line);

    /** An informational line. */
    void info(String line);

    /**
     * A sink passing each level's lines to its consumer (an error's cause appended to its line as
     * {@code ": " + cause}).
     */
    static LogSink of(Consumer<String> error, Consumer<String> warn, Consumer<String> info) {
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(warn, "warn");
        Objects.requireNonNull(info, "info");
        return new LogSink() {
            @Override
            public void error(String line, @Nullable Throwable cause) {
                error.accept(cause == null ? line : line + ": " + cause);
            }

            @Override
            public void warn(String line) {
                warn.accept(line);
            }

            @Override
            public void info(String line) {
                info.accept(line);
            }
        };
    }

    /** A sink passing the lines of every level to {@code lines}, as {@link #of} does. */
    static LogSink lines(Consumer<String> lines) {
        return of(lines, lines, lines);
    }
}
