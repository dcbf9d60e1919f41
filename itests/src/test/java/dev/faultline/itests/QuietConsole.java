package dev.faultline.itests;

import java.io.IOException;
import java.util.Hashtable;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Keeps the launcher's console log writer quiet in the test framework. The tests read the OSGi log through the
 * {@code LogReaderService} and assert the entries they cause on purpose (a bad configuration, a handler that
 * throws, a device's fault lines); the console writer would only repeat each of them into the build log. Its
 * level goes to AUDIT, a level nothing in the test framework logs at.
 */
@Component(immediate = true)
public final class QuietConsole {
    /** The launcher's console log writer's configuration PID. */
    public static final String LAUNCHER_LOG_PID = "dev.faultline.launcher.log";
    /** The level the writer is set to: the most severe, which nothing here logs at. */
    public static final String LEVEL = "AUDIT";

    /** Sets the launcher's console log level. */
    @Activate
    public QuietConsole(@Reference ConfigurationAdmin admin) throws IOException {
        Configuration configuration = admin.getConfiguration(LAUNCHER_LOG_PID, "?");
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put("level", LEVEL);
        configuration.update(properties);
    }
}
