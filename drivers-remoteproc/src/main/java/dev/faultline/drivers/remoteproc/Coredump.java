package dev.faultline.drivers.remoteproc;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What recovery saved of a crashed processor before reloading its firmware ({@code rproc_coredump}): every
 * memory region as it was, read from memory after the processor was stopped.
 *
 * @param crashNumber the crash this dump belongs to
 * @param firmware the firmware that was running
 * @param segments one per memory region, in the order the regions were declared
 */
public record Coredump(int crashNumber, String firmware, List<CoredumpSegment> segments) {

    /** Copies the segments. */
    public Coredump {
        Objects.requireNonNull(firmware, "firmware");
        segments = List.copyOf(segments);
    }

    /** The segment of the region named {@code name}. */
    public Optional<CoredumpSegment> segment(String name) {
        return segments.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** The total number of bytes dumped. */
    public long size() {
        return segments.stream().mapToLong(CoredumpSegment::size).sum();
    }
}
