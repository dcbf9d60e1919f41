package dev.faultline.shell.internal.log;

import dev.faultline.shell.console.ExpectedLog;
import dev.faultline.shell.console.StatusLine;
import java.util.Locale;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * Prints log entries at or above a level to standard error (above the demo's progress line, through the
 * {@link StatusLine}), so that a component that fails to activate, or a core warning, is visible in the
 * launcher's console. Lines a demo step causes on purpose carry that step's label ({@link ExpectedLog}).
 */
@Component(immediate = true, configurationPid = ConsoleLogWriter.PID)
@Designate(ocd = ConsoleLogWriter.Config.class)
public final class ConsoleLogWriter implements LogListener {
    /** The configuration PID. */
    public static final String PID = "dev.faultline.launcher.log";

    /** Configuration. */
    @ObjectClassDefinition(name = "Faultline console log", description = "Which log entries the launcher prints.")
    public @interface Config {
        /** The least severe level printed. */
        @AttributeDefinition(description = "Least severe level printed to standard error.", options = {
            @Option(value = "AUDIT"), @Option(value = "ERROR"), @Option(value = "WARN"), @Option(value = "INFO"),
            @Option(value = "DEBUG"), @Option(value = "TRACE")})
        String level() default "WARN";
    }

    private final LogReaderService reader;
    private final StatusLine console;
    private final ExpectedLog expected;
    private volatile LogLevel threshold;

    /** The component. */
    @Activate
    public ConsoleLogWriter(@Reference LogReaderService reader, @Reference StatusLine console,
            @Reference ExpectedLog expected, Config config) {
        this.reader = reader;
        this.console = console;
        this.expected = expected;
        this.threshold = level(config);
        reader.addLogListener(this);
    }

    @Modified
    void modified(Config config) {
        threshold = level(config);
    }

    @Deactivate
    void deactivate() {
        reader.removeLogListener(this);
    }

    @Override
    public void logged(LogEntry entry) {
        if (!threshold.implies(entry.getLogLevel())) {
            return;
        }
        String bundle = entry.getBundle() == null ? "?" : entry.getBundle().getSymbolicName();
        StringBuilder line = new StringBuilder(expected.label(bundle, entry.getTime())).append(entry.getLogLevel())
                .append(' ').append(bundle).append(": ").append(entry.getMessage());
        if (entry.getException() != null) {
            line.append(": ").append(entry.getException());
        }
        console.log(line.toString());
    }

    /** The level named in the configuration (metatype restricts it to the level names). */
    private static LogLevel level(Config config) {
        return LogLevel.valueOf(config.level().strip().toUpperCase(Locale.ROOT));
    }
}
