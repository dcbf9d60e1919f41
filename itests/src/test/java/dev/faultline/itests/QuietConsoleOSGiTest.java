package dev.faultline.itests;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

/**
 * In the test framework the launcher's console prints nothing, and the OSGi log still holds every entry for the
 * tests to read and assert.
 */
class QuietConsoleOSGiTest {
    @InjectBundleContext
    BundleContext context;

    @InjectService
    ConfigurationAdmin admin;

    @InjectService
    LogReaderService logReader;

    @InjectService
    LoggerFactory loggers;

    @Test
    void theConsoleStaysQuietAndTheLogKeepsTheErrorsTestsCauseOnPurpose() throws Exception {
        Services.await(() -> QuietConsole.LEVEL.equals(level()));

        List<LogEntry> entries = new CopyOnWriteArrayList<>();
        LogListener listener = entries::add;
        logReader.addLogListener(listener);
        try {
            Logger logger = loggers.getLogger(context.getBundle(), "itests", Logger.class);
            logger.error("an error this test causes on purpose");
            Services.await(() -> entries.stream().anyMatch(e -> e.getLogLevel() == LogLevel.ERROR
                    && e.getMessage().equals("an error this test causes on purpose")));
        } finally {
            logReader.removeLogListener(listener);
        }
        assertThat(LogLevel.valueOf(QuietConsole.LEVEL).implies(LogLevel.ERROR))
                .as("the console's level lets no ERROR through").isFalse();
    }

    private Object level() {
        try {
            Configuration configuration = admin.getConfiguration(QuietConsole.LAUNCHER_LOG_PID, "?");
            return configuration.getProperties() == null ? null : configuration.getProperties().get("level");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
