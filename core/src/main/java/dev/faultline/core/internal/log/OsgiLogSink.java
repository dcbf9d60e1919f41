package dev.faultline.core.internal.log;

import org.osgi.service.log.Logger;

/** The host log lines, into the OSGi log service. */
public final class OsgiLogSink implements LogSink {
    private final Logger logger;

    public OsgiLogSink(Logger logger) {
        this.logger = logger;
    }

    @Override
    public void warn(String line) {
        logger.warn(line);
    }

    @Override
    public void error(String line, Throwable cause) {
        if (cause == null) {
            logger.error(line);
        } else {
            logger.error(line, cause);
        }
    }
}
