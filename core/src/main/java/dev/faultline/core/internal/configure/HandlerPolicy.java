package dev.faultline.core.internal.configure;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.core.internal.route.Ownership;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The core's validated rules for handlers ({@link CoreConfig}): who owns which target, who may serve guests, how
 * long a departed handler's target waits for its replacement and its clean-up lasts, and when a handler is
 * quarantined and released.
 *
 * @param owners configured owners: target ({@code "device <id>"} or {@code "domain <name>"}) to bundle symbolic name
 * @param guestHandlers bundles that may register vIOMMU handlers ({@code faultline.guest})
 * @param handoverMillis how long faults of a departed handler's target wait for a replacement; 0 not at all
 * @param handoverCapacity groups waiting for replacements at most, over all targets
 * @param cleanupMillis how long a departed handler's held groups stay its own to answer or hand back
 * @param quarantineThrows consecutive throwing calls that quarantine a handler; 0 never, {@link #COMMON} the
 *     common {@code quarantine.after}
 * @param quarantineBlocks consecutive blocking inline calls that quarantine a handler; 0 never, or {@link #COMMON}
 * @param quarantineTimeouts consecutive groups answered at their deadline that quarantine a handler; 0 never, or
 *     {@link #COMMON}
 * @param backoffMillis how long a quarantine lasts before the handler is released on probation; 0 until released
 *     by hand
 */
public record HandlerPolicy(Map<String, String> owners, Set<String> guestHandlers, long handoverMillis,
        int handoverCapacity, long cleanupMillis, int quarantineThrows, int quarantineBlocks, int quarantineTimeouts,
        long backoffMillis) {

    public static final String VIOMMU_BUNDLE = "dev.faultline.viommu";
    /** The bundle name of handlers registered outside a framework ({@code StandaloneCore}, simulations). */
    public static final String STANDALONE_BUNDLE = "standalone";
    static final long DEFAULT_HANDOVER_MS = 1000;
    static final int DEFAULT_HANDOVER_CAPACITY = 1024;
    public static final long DEFAULT_CLEANUP_MS = 500;
    /** A quarantine threshold that defers to the common {@code quarantine.after}. */
    public static final int COMMON = -1;
    static final long DEFAULT_BACKOFF_MS = 10_000;

    public static final HandlerPolicy DEFAULTS = new HandlerPolicy(Map.of(), Set.of(VIOMMU_BUNDLE), DEFAULT_HANDOVER_MS,
            DEFAULT_HANDOVER_CAPACITY, DEFAULT_CLEANUP_MS, COMMON, COMMON, COMMON, DEFAULT_BACKOFF_MS);

    public HandlerPolicy {
        owners = Map.copyOf(owners);
        guestHandlers = Set.copyOf(guestHandlers);
    }

    public long handoverNanos() {
        return handoverMillis * 1_000_000L;
    }

    public long cleanupNanos() {
        return cleanupMillis * 1_000_000L;
    }

    public long backoffNanos() {
        return backoffMillis * 1_000_000L;
    }

    /** The rules outside a framework: every handler is the embedder's own, so it may serve guests too. */
    public static HandlerPolicy standalone() {
        return DEFAULTS.withGuestHandlers(STANDALONE_BUNDLE);
    }

    /** This policy trusting other bundles with guests. */
    public HandlerPolicy withGuestHandlers(String... bundles) {
        return new HandlerPolicy(owners, Set.of(bundles), handoverMillis, handoverCapacity, cleanupMillis,
                quarantineThrows, quarantineBlocks, quarantineTimeouts, backoffMillis);
    }

    /** This policy with configured owners ({@code "device <id>"} / {@code "domain <name>"} to bundle). */
    HandlerPolicy withOwners(Map<String, String> configured) {
        return new HandlerPolicy(configured, guestHandlers, handoverMillis, handoverCapacity, cleanupMillis,
                quarantineThrows, quarantineBlocks, quarantineTimeouts, backoffMillis);
    }

    /** This policy with another hand-over window, capacity and clean-up window. */
    public HandlerPolicy withHandover(long windowMillis, int capacity, long cleanup) {
        return new HandlerPolicy(owners, guestHandlers, windowMillis, capacity, cleanup, quarantineThrows,
                quarantineBlocks, quarantineTimeouts, backoffMillis);
    }

    /** This policy with other quarantine thresholds and back-off. */
    public HandlerPolicy withQuarantine(int throwsInARow, int blocksInARow, int timeoutsInARow, long backoff) {
        return new HandlerPolicy(owners, guestHandlers, handoverMillis, handoverCapacity, cleanupMillis, throwsInARow,
                blocksInARow, timeoutsInARow, backoff);
    }

    /** Validates a configuration: a bad value is replaced by its default and described to {@code problems}. */
    public static HandlerPolicy from(CoreConfig c, Consumer<String> problems) {
        Map<String, String> owners = new LinkedHashMap<>();
        for (String entry : c.owners()) {
            String target = ownerTarget(entry);
            if (target == null) {
                problems.accept("configuration owners entry '" + entry + "' is not device:<id>=<bundle> or"
                        + " domain:<name>=<bundle>; ignored (nobody is made owner by it)");
            } else {
                owners.put(target, entry.substring(entry.lastIndexOf('=') + 1).strip());
            }
        }
        Set<String> guests = Set.copyOf(Arrays.stream(c.guest_handlers()).map(String::strip)
                .filter(b -> !b.isEmpty()).toList());
        return new HandlerPolicy(owners, guests,
                Settings.atLeast("handover.window.ms", c.handover_window_ms(), 0, DEFAULT_HANDOVER_MS, problems),
                (int) Settings.atLeast("handover.capacity", c.handover_capacity(), 0, DEFAULT_HANDOVER_CAPACITY,
                        problems),
                Settings.atLeast("cleanup.window.ms", c.cleanup_window_ms(), 0, DEFAULT_CLEANUP_MS, problems),
                threshold("quarantine.after.throws", c.quarantine_after_throws(), problems),
                threshold("quarantine.after.blocks", c.quarantine_after_blocks(), problems),
                threshold("quarantine.after.timeouts", c.quarantine_after_timeouts(), problems),
                Settings.atLeast("quarantine.backoff.ms", c.quarantine_backoff_ms(), 0, DEFAULT_BACKOFF_MS, problems));
    }

    private static int threshold(String name, int value, Consumer<String> problems) {
        return (int) Settings.atLeast(name, value, COMMON, COMMON, problems);
    }

    /** The limit of {@code specific} (a threshold of this policy), else the common {@code quarantine.after}. */
    public static int limit(int specific, int common) {
        return specific == COMMON ? common : specific;
    }

    /** {@code "device <id>"} or {@code "domain <name>"} for an owners entry, or null if it is malformed. */
    private static String ownerTarget(String entry) {
        int eq = entry.lastIndexOf('=');
        int colon = entry.indexOf(':');
        if (eq < 0 || colon < 0 || colon > eq || entry.substring(eq + 1).isBlank()) {
            return null;
        }
        String kind = entry.substring(0, colon).strip();
        String name = entry.substring(colon + 1, eq).strip();
        if (name.isEmpty()) {
            return null;
        }
        if (kind.equals("domain")) {
            return Ownership.domain(name);
        }
        if (kind.equals("device")) {
            try {
                return Ownership.device(DeviceId.parse(name));
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return null;
    }
}
