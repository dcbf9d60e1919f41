package dev.faultline.drivers.remoteproc;

import java.util.List;
import java.util.Objects;

/**
 * A loadable firmware image: what {@code request_firmware} returns and the remoteproc loader copies into the
 * processor's carveouts before starting it at {@code entryPoint}.
 *
 * @param name the image's name, e.g. {@code adsp.mbn}
 * @param entryPoint the device address of the first instruction ({@code e_entry})
 * @param segments the loadable segments
 */
public record FirmwareImage(String name, long entryPoint, List<FirmwareSegment> segments) {

    /**
     * Validates the image.
     *
     * @throws IllegalArgumentException for a blank name or no segments
     */
    public FirmwareImage {
        Objects.requireNonNull(segments, "segments");
        segments = List.copyOf(segments);
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a firmware image needs a name");
        }
        if (segments.isEmpty()) {
            throw new IllegalArgumentException("firmware " + name + " has no loadable segment");
        }
    }

    /**
     * Checks that every segment fits one region and that the entry point lies in an executable one
     * ({@code rproc_elf_sanity_check} and the loader's bounds checks).
     *
     * @throws IllegalArgumentException naming the first segment that does not fit, or the entry point
     */
    public void checkFits(List<MemoryRegion> regions) {
        for (FirmwareSegment s : segments) {
            if (regions.stream().noneMatch(r -> r.contains(s.deviceAddress(), s.memorySize()))) {
                throw new IllegalArgumentException(String.format(
                        "firmware %s: segment at 0x%x (%d bytes) lies in no carveout", name, s.deviceAddress(),
                        s.memorySize()));
            }
        }
        if (regions.stream().noneMatch(r -> r.access().exec() && r.contains(entryPoint, Long.BYTES))) {
            throw new IllegalArgumentException(String.format(
                    "firmware %s: entry point 0x%x is in no executable carveout", name, entryPoint));
        }
    }
}
