package dev.faultline.faultlog;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.DeviceId;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link Replayer} replays a log.
 *
 * @param backendName the name of the replay IOMMU connected to the pipeline (unique among connected IOMMUs)
 * @param domains domains to attach devices to, by device; each device is attached without PASID and at every
 *     PASID its faults carry
 * @param everyDevice a domain to attach every device without an entry in {@code domains} to, if any
 * @param responseTimeout how long to wait for the answers of the page request groups before disconnecting
 *     (which answers what is still pending)
 */
public record ReplayOptions(String backendName, Map<DeviceId, Domain> domains, Optional<Domain> everyDevice,
        Duration responseTimeout) {

    /** The default backend name. */
    public static final String DEFAULT_BACKEND_NAME = "replay";
    /** The default time to wait for answers. */
    public static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofSeconds(5);

    /**
     * Validates and copies.
     *
     * @throws IllegalArgumentException for a blank backend name or a negative timeout
     */
    public ReplayOptions {
        if (backendName == null || backendName.isBlank()) {
            throw new IllegalArgumentException("the replay backend needs a name");
        }
        domains = Map.copyOf(domains);
        Objects.requireNonNull(everyDevice, "everyDevice (use Optional.empty())");
        if (responseTimeout.isNegative()) {
            throw new IllegalArgumentException("response timeout " + responseTimeout + " is negative");
        }
    }

    /** Backend {@value #DEFAULT_BACKEND_NAME}, no attachments, {@link #DEFAULT_RESPONSE_TIMEOUT}. */
    public static ReplayOptions defaults() {
        return new ReplayOptions(DEFAULT_BACKEND_NAME, Map.of(), Optional.empty(), DEFAULT_RESPONSE_TIMEOUT);
    }

    /** These options with another backend name. */
    public ReplayOptions withBackendName(String name) {
        return new ReplayOptions(name, domains, everyDevice, responseTimeout);
    }

    /** These options with {@code device} attached to {@code domain}. */
    public ReplayOptions attach(DeviceId device, Domain domain) {
        Map<DeviceId, Domain> more = new LinkedHashMap<>(domains);
        more.put(Objects.requireNonNull(device, "device"), Objects.requireNonNull(domain, "domain"));
        return new ReplayOptions(backendName, more, everyDevice, responseTimeout);
    }

    /** These options with every other device attached to {@code domain}. */
    public ReplayOptions attachEveryDevice(Domain domain) {
        return new ReplayOptions(backendName, domains, Optional.of(domain), responseTimeout);
    }

    /** These options with another answer timeout. */
    public ReplayOptions withResponseTimeout(Duration timeout) {
        return new ReplayOptions(backendName, domains, everyDevice, timeout);
    }

    /** The domain {@code device} is to be attached to, if any. */
    public Optional<Domain> domainOf(DeviceId device) {
        Domain d = domains.get(device);
        return d != null ? Optional.of(d) : everyDevice;
    }
}
