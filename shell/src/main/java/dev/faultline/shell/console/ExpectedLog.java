package dev.faultline.shell.console;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.osgi.annotation.versioning.ProviderType;
import org.osgi.service.component.annotations.Component;

/**
 * The log lines the demo causes on purpose. While a step that makes a driver report its fault runs (the usNIC's
 * DMAR lines, the remote processor's crash, the GPU's recovery), the console prints that driver's lines with the
 * step's label, {@code [demo 3/6, expected] ERROR ...}, so that a reader tells them from a real problem; every
 * other line is printed as it is. Log entries reach the console asynchronously, so a line is matched to the
 * step by the time it was logged, not the time it is printed.
 *
 * <p>Thread-safe.
 */
@ProviderType
@Component(service = ExpectedLog.class)
public final class ExpectedLog {
    /** A step's window: the bundles whose lines it expects, from {@code startMillis} until {@code endMillis}. */
    private record Window(String label, Set<String> bundles, long startMillis, long endMillis) {
    }

    private final List<Window> windows = new ArrayList<>();
    private Window open;

    /** Forgets the windows of an earlier run. */
    public synchronized void newRun() {
        windows.clear();
        open = null;
    }

    /**
     * From now until {@link #end(long)}, lines of {@code bundles} (symbolic names) are the step's, labelled
     * {@code [demo <label>, expected]}.
     */
    public synchronized void expect(String label, Set<String> bundles, long nowMillis) {
        end(nowMillis);
        open = new Window(label, Set.copyOf(bundles), nowMillis, Long.MAX_VALUE);
    }

    /** Ends the open window. */
    public synchronized void end(long nowMillis) {
        if (open != null) {
            windows.add(new Window(open.label(), open.bundles(), open.startMillis(), nowMillis));
            open = null;
        }
    }

    /** The label to print before a line of {@code bundle} logged at {@code timeMillis}, or the empty string. */
    public synchronized String label(String bundle, long timeMillis) {
        if (open != null && matches(open, bundle, timeMillis)) {
            return prefix(open);
        }
        for (Window w : windows) {
            if (matches(w, bundle, timeMillis)) {
                return prefix(w);
            }
        }
        return "";
    }

    private static boolean matches(Window w, String bundle, long timeMillis) {
        return w.bundles().contains(bundle) && timeMillis >= w.startMillis() && timeMillis <= w.endMillis();
    }

    private static String prefix(Window w) {
        return "[demo " + w.label() + ", expected] ";
    }
}
