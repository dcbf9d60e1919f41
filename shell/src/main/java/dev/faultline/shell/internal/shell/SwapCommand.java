package dev.faultline.shell.internal.shell;

import dev.faultline.core.shell.CommandArguments;
import dev.faultline.core.shell.ShellCommands;
import dev.faultline.core.shell.Table;
import dev.faultline.core.shell.UsageException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * {@code faultline:swap}: replaces a running bundle (a backend, a driver, a handler bundle) without restarting
 * anything else: stop, update from a new jar, refresh its wiring, start. The jar is required: the content at the
 * bundle's own location is what was installed, and taking it again would silently undo an earlier swap. While it is
 * stopped its handlers are unregistered, and the core answers their pending groups; once it is started again
 * its handlers receive faults.
 *
 * <p>The new content is checked first ({@link BundleJar}): what is not a bundle jar of the same symbolic name
 * changes nothing. When the update, the refresh or the start fails, the bundle is put back as it was running
 * (its content from before the swap, started again) and the command fails with one line saying why.
 */
@Component(service = SwapCommand.class)
@ShellCommands(function = "swap")
public final class SwapCommand {
    static final String USAGE = "[--json] <bundle> <jar>";

    private static final long REFRESH_TIMEOUT_SECONDS = 30;

    private final BundleContext context;

    /** The component. */
    @Activate
    public SwapCommand(BundleContext context) {
        this.context = context;
    }

    /** Swaps a bundle for the jar given. */
    @Descriptor("replace a running bundle (id or symbolic name) with a new jar (path or URL): stop, update,"
            + " refresh, start; a failure puts the running bundle back")
    public String swap(@Descriptor(USAGE) String... arguments) throws InterruptedException {
        List<String> positional = Arrays.stream(arguments).filter(a -> !a.startsWith("--")).toList();
        boolean knownOptions = Arrays.stream(arguments).allMatch(a -> !a.startsWith("--") || a.equals("--json"));
        if (positional.size() == 1 && knownOptions) {
            Bundle named = swappable(positional.get(0));
            throw new UsageException("missing <jar>: " + named.getSymbolicName() + " is not swapped for the content"
                    + " it was installed from (" + named.getLocation() + "), which would undo any earlier swap",
                    "faultline:swap " + USAGE);
        }
        CommandArguments args = CommandArguments.parse("faultline:swap", USAGE, arguments);
        Bundle target = swappable(args.text("bundle"));
        String source = args.text("jar");
        byte[] content;
        try (InputStream in = open(source)) {
            content = in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + source + ": " + oneLine(e));
        }
        BundleJar.check(content, source, target.getSymbolicName());
        long start = System.nanoTime();
        String before = target.getVersion().toString();
        replaceOrRollBack(target, content);
        long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start);
        Table table = Table.of("bundle", "id", "from", "to", "source", "state", "ms");
        table.row(target.getSymbolicName(), target.getBundleId(), before, target.getVersion().toString(), source,
                state(target.getState()), args.json() ? (Object) (micros / 1000.0)
                        : String.format(Locale.ROOT, "%.1f", micros / 1000.0));
        return Table.render(args.json(), table);
    }

    /**
     * Swaps bundle {@code text} (id or symbolic name) for the content it runs now, as {@code faultline:swap} does
     * with a jar: stop, update, start, refreshed only when the wiring needs it (the console's Swap button).
     *
     * @return one line: the bundle, its version and state, whether it was refreshed, and the time taken
     * @throws IllegalArgumentException if there is no such bundle or it runs the framework or this command
     * @throws IllegalStateException if the swap failed (the running content is put back)
     */
    String swapInPlace(String text) throws InterruptedException {
        Bundle target = swappable(text);
        long start = System.nanoTime();
        boolean refreshed = replaceOrRollBack(target, BundleJar.snapshot(target));
        return String.format(Locale.ROOT, "swapped %s [%d] %s in %.1f ms, %s, %s", target.getSymbolicName(),
                target.getBundleId(), target.getVersion(), (System.nanoTime() - start) / 1e6,
                state(target.getState()), refreshed ? "refreshed (its importers restarted)" : "without a refresh");
    }

    /** Replaces the content; on failure puts back the running content and throws saying so. */
    private boolean replaceOrRollBack(Bundle target, byte[] content) throws InterruptedException {
        byte[] running = BundleJar.snapshot(target);
        try {
            return replace(target, content);
        } catch (BundleException | RuntimeException e) {
            throw new IllegalStateException("swap of " + target.getSymbolicName() + " failed: " + oneLine(e) + "; "
                    + rollBack(target, running));
        }
    }

    /** The bundle {@code text} names, unless it is the framework or the bundle of this command. */
    private Bundle swappable(String text) {
        Bundle target = find(text);
        if (target.getBundleId() == 0 || target.equals(context.getBundle())) {
            throw new IllegalArgumentException("cannot swap " + target.getSymbolicName()
                    + ": it runs the framework or this command");
        }
        return target;
    }

    /** Puts back the content that ran before the swap and starts it; says what came of it. */
    private String rollBack(Bundle target, byte[] running) throws InterruptedException {
        try {
            if (target.getState() == Bundle.ACTIVE) {
                target.stop();
            }
            replace(target, running);
            return "rolled back to " + target.getSymbolicName() + " " + target.getVersion() + ", "
                    + state(target.getState());
        } catch (BundleException | RuntimeException e) {
            return "the roll-back failed too: " + oneLine(e) + " (state " + state(target.getState()) + ")";
        }
    }

    /**
     * Stop, update, start; refreshed only when the bundles wired to the running revision's packages cannot keep
     * their wiring ({@link PackageUsers}): a backend whose exported API is unchanged is replaced without
     * restarting the launcher, the drivers or anything else that imports its API.
     */
    private boolean replace(Bundle target, byte[] content) throws BundleException, InterruptedException {
        PackageUsers users = PackageUsers.of(target);
        target.stop();
        target.update(new ByteArrayInputStream(content));
        boolean refresh = !users.keptBy(target, context.getBundle(0).adapt(FrameworkWiring.class));
        if (refresh) {
            refresh(target);
        }
        target.start();
        return refresh;
    }

    private void refresh(Bundle target) throws BundleException, InterruptedException {
        CountDownLatch refreshed = new CountDownLatch(1);
        FrameworkEvent[] outcome = new FrameworkEvent[1];
        context.getBundle(0).adapt(FrameworkWiring.class).refreshBundles(List.of(target), event -> {
            outcome[0] = event;
            refreshed.countDown();
        });
        if (!refreshed.await(REFRESH_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            throw new BundleException("refreshing " + target.getSymbolicName() + " took more than "
                    + REFRESH_TIMEOUT_SECONDS + " s");
        }
        if (outcome[0].getType() == FrameworkEvent.ERROR) {
            throw new BundleException("refreshing " + target.getSymbolicName() + " failed",
                    outcome[0].getThrowable());
        }
    }

    /** The bundle with id (hex or decimal) or symbolic name {@code text}. */
    Bundle find(String text) {
        var id = CommandArguments.parseNumber(text);
        if (id.isPresent()) {
            Bundle bundle = context.getBundle(id.getAsLong());
            if (bundle != null) {
                return bundle;
            }
            throw new IllegalArgumentException("no bundle with id " + text);
        }
        for (Bundle bundle : context.getBundles()) {
            if (text.equals(bundle.getSymbolicName())) {
                return bundle;
            }
        }
        throw new IllegalArgumentException("no bundle named " + text);
    }

    private static InputStream open(String source) throws IOException {
        if (source.contains(":/")) {
            return URI.create(source).toURL().openStream();
        }
        Path path = Path.of(source);
        if (!Files.isRegularFile(path)) {
            throw new IOException("no jar at " + path.toAbsolutePath());
        }
        return Files.newInputStream(path);
    }

    /** The message of {@code e} and its causes, on one line. */
    static String oneLine(Throwable e) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
            if (out.indexOf(message) < 0) {
                out.append(out.length() == 0 ? "" : ": ").append(message);
            }
        }
        return out.toString().replaceAll("\\s+", " ").trim();
    }

    private static String state(int state) {
        return switch (state) {
            case Bundle.ACTIVE -> "ACTIVE";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.INSTALLED -> "INSTALLED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            default -> "UNINSTALLED";
        };
    }
}
