package dev.faultline.drivers.remoteproc.internal;

import dev.faultline.drivers.remoteproc.FirmwareImage;
import java.util.Optional;

/** Finds firmware images by name: the {@code request_firmware} of this model. */
@FunctionalInterface
public interface FirmwareLoader {

    /** The image called {@code name}, or empty if there is none. */
    Optional<FirmwareImage> request(String name);
}
