package dev.faultline.console.internal.web;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * What the console's buttons do, each on a thread of its own so that the POST returns at once: run the demo (the
 * demo bundle's {@code demo} task service, {@code ToIntFunction<String[]>} with {@code faultline.launcher.task=demo}),
 * and swap a backend bundle for the content it runs now through the shell bundle's {@code swap} task
 * ({@code Function<String, String>} with {@code faultline.launcher.task=swap}: stop, update, start, refreshed only
 * when the wiring needs it, exactly as {@code faultline:swap}, so the shell, its commands, a demo in progress and
 * the drivers go on running). One action runs at a time; {@link #status()} tells the last outcome.
 */
final class Actions {
    static final String DEMO_FILTER = "(&(objectClass=" + ToIntFunction.class.getName()
            + ")(faultline.launcher.task=demo))";
    static final String BACKEND_FILTER = "(|(objectClass=dev.faultline.smmuv3.SmmuDomains)"
            + "(objectClass=dev.faultline.vtd.VtdIommu))";
    static final String SWAP_FILTER = "(&(objectClass=" + Function.class.getName()
            + ")(faultline.launcher.task=swap))";

    private final BundleContext context;
    private final AtomicBoolean busy = new AtomicBoolean();
    private final AtomicLong demoRuns = new AtomicLong();
    private volatile String status = "no action run yet";

    Actions(BundleContext context) {
        this.context = context;
    }

    /** The last action's outcome, or the one under way. */
    String status() {
        return status;
    }

    /** Whether an action is under way. */
    boolean busy() {
        return busy.get();
    }

    /** Demo runs finished since the console started. */
    long demoRuns() {
        return demoRuns.get();
    }

    /** Whether the framework offers the demo. */
    boolean demoAvailable() {
        return demo().isPresent();
    }

    /** Starts the demo; returns what happened to the request. */
    String runDemo() {
        Optional<ServiceReference<?>> ref = demo();
        if (ref.isEmpty()) {
            return "the demo is not installed in this framework (no launcher task 'demo')";
        }
        return start("demo", () -> {
            Object service = context.getService(ref.get());
            if (service == null) {
                return "the demo went away before it ran";
            }
            try {
                @SuppressWarnings("unchecked")
                ToIntFunction<String[]> task = (ToIntFunction<String[]>) service;
                int exit = task.applyAsInt(new String[0]);
                demoRuns.incrementAndGet();
                return exit == 0 ? "demo passed" : "demo FAILED (exit status " + exit + ")";
            } finally {
                context.ungetService(ref.get());
            }
        });
    }

    /** The backend bundles: those registering an SMMUv3 or VT-d domain service, by symbolic name. */
    List<Bundle> backends() {
        List<Bundle> out = new ArrayList<>();
        try {
            ServiceReference<?>[] refs = context.getServiceReferences((String) null, BACKEND_FILTER);
            if (refs != null) {
                for (ServiceReference<?> ref : refs) {
                    Bundle bundle = ref.getBundle();
                    if (bundle != null && !out.contains(bundle)) {
                        out.add(bundle);
                    }
                }
            }
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        out.sort(Comparator.comparing(Bundle::getSymbolicName));
        return out;
    }

    /** Whether the framework offers the shell bundle's swap task. */
    boolean swapAvailable() {
        return task(SWAP_FILTER).isPresent();
    }

    /** Starts swapping the backend bundle {@code id}; returns what happened to the request. */
    String swap(long id) {
        Bundle target = backends().stream().filter(b -> b.getBundleId() == id).findFirst().orElse(null);
        if (target == null) {
            return "bundle " + id + " is not a running backend";
        }
        Optional<ServiceReference<?>> ref = task(SWAP_FILTER);
        if (ref.isEmpty()) {
            return "swapping needs the launcher's swap task, which is not installed in this framework";
        }
        String name = target.getSymbolicName();
        return start("swap of " + name, () -> {
            Object service = context.getService(ref.get());
            if (service == null) {
                return "the swap task went away before it ran";
            }
            try {
                @SuppressWarnings("unchecked")
                Function<String, String> task = (Function<String, String>) service;
                return task.apply(Long.toString(id));
            } finally {
                context.ungetService(ref.get());
            }
        });
    }

    private Optional<ServiceReference<?>> demo() {
        return task(DEMO_FILTER);
    }

    private Optional<ServiceReference<?>> task(String filter) {
        try {
            ServiceReference<?>[] refs = context.getServiceReferences((String) null, filter);
            return refs == null ? Optional.empty() : Optional.of(refs[0]);
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private String start(String what, Job job) {
        if (!busy.compareAndSet(false, true)) {
            return "busy: " + status;
        }
        status = what + " running";
        Thread thread = new Thread(() -> {
            try {
                status = job.run();
            } catch (Exception e) {
                status = what + " failed: " + e;
            } finally {
                busy.set(false);
            }
        }, "faultline-console-action");
        thread.setDaemon(true);
        thread.start();
        return what + " started";
    }

    @FunctionalInterface
    private interface Job {
        String run() throws Exception;
    }
}
