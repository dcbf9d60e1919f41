package dev.faultline.launcher.internal.shell;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
 * anything else: stop, update (from a new jar, or its own location), refresh its wiring, start. While it is
 * stopped its handlers are unregistered, and the core answers their pending groups; once it is started again
 * its handlers receive faults.
 */
@Component(service = SwapCommand.class)
@ShellCommand(function = "swap")
public final class SwapCommand {
    private static final long REFRESH_TIMEOUT_SECONDS = 30;

    private final BundleContext context;

    /** The component. */
    @Activate
    public SwapCommand(BundleContext context) {
        this.context = context;
    }

    /** Swaps a bundle for the content at its own location (after a rebuild in place). */
    @Descriptor("replace a running bundle with a rebuild of itself: stop, update from its location, refresh, start")
    public BundleSwap swap(@Descriptor("bundle id or symbolic name") String bundle)
            throws BundleException, IOException, InterruptedException {
        Bundle target = find(bundle);
        return swap(target, target.getLocation(), null);
    }

    /** Swaps a bundle for the jar at {@code source}. */
    @Descriptor("replace a running bundle with a new jar: stop, update, refresh, start")
    public BundleSwap swap(@Descriptor("bundle id or symbolic name") String bundle,
            @Descriptor("path or URL of the new jar") String source)
            throws BundleException, IOException, InterruptedException {
        Bundle target = find(bundle);
        try (InputStream in = open(source)) {
            return swap(target, source, in);
        }
    }

    private BundleSwap swap(Bundle target, String source, InputStream content)
            throws BundleException, InterruptedException {
        if (target.getBundleId() == 0 || target.equals(context.getBundle())) {
            throw new IllegalArgumentException("cannot swap " + target.getSymbolicName()
                    + ": it runs the framework or this command");
        }
        long start = System.nanoTime();
        String before = target.getVersion().toString();
        target.stop();
        if (content == null) {
            target.update();
        } else {
            target.update(content);
        }
        refresh(target);
        target.start();
        long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start);
        return new BundleSwap(target.getSymbolicName(), target.getBundleId(), before,
                target.getVersion().toString(), source, state(target.getState()), micros);
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

    /** The bundle with id or symbolic name {@code text}. */
    Bundle find(String text) {
        if (text.chars().allMatch(Character::isDigit)) {
            Bundle bundle = context.getBundle(Long.parseLong(text));
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
