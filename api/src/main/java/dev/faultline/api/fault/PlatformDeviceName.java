package dev.faultline.api.fault;

/**
 * A platform device known by name (for example {@code remoteproc0}, {@code adreno0}).
 *
 * @param name non-blank, without white space
 */
public record PlatformDeviceName(String name) implements DeviceId {

    public PlatformDeviceName {
        if (name == null || name.isBlank() || name.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("platform device name must be non-blank with no white space: '"
                    + name + "'");
        }
    }

    @Override
    public String toString() {
        return "platform:" + name;
    }
}
