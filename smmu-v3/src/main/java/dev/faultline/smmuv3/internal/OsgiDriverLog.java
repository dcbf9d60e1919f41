package dev.faultline.smmuv3.internal;

import org.osgi.service.log.Logger;

/** Driver log lines into the OSGi log service. */
final class OsgiDriverLog implements DriverLog {
    private final Logger logger;

    OsgiDriverLog(Logger logger) {
        this.logger = logger;
    }

    @Override
    public void error(String line) {
        logger.error(line);
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
