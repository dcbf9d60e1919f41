package dev.faultline.core.log;

import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.osgi.service.log.Logger;

/**
 * The log lines of a bundle into the OSGi log service: a component takes its {@code Logger} with
 * {@code @Reference(service = LoggerFactory.class) Logger logger} and writes through {@code new OsgiLogSink(logger)}.
 */
public final class OsgiLogSink implements LogSink {
    private final Logger logger;

    /** A sink writing to {@code logger}. */
    public OsgiLogSink(Logger logger) {
        this.logger = Objects.requireNonNull(logger, "logger");
    }

    @Override
    public void error(String line, @Nullable Throwable cause) {
        if (cause == null) {
            logger.error(line);
        } else {
            logger.error(line, cause);
        }
    }

    @Override
    public void warn(String line) {
        logger.warn(line);
    }

    @Override
    public void info(String line) {
        logger.info(line);
    }
}
