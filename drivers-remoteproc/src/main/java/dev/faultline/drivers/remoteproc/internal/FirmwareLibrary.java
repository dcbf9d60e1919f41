package dev.faultline.drivers.remoteproc.internal;

import dev.faultline.drivers.remoteproc.FirmwareImage;
import dev.faultline.drivers.remoteproc.HeartbeatFirmware;
import java.util.Optional;

/** The firmware images this bundle ships: {@value HeartbeatFirmware#NAME}. */
final class FirmwareLibrary implements FirmwareLoader {

    @Override
    public Optional<FirmwareImage> request(String name) {
        return HeartbeatFirmware.NAME.equals(name) ? Optional.of(HeartbeatFirmware.image()) : Optional.empty();
    }
}
