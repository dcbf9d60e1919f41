package dev.faultline.api.fault;

/**
 * Who faulted: a PCI requester id, an SMMU stream id, or a platform device name.
 *
 * <p>Each kind has one canonical text form, used in handler service properties and shell commands, which
 * {@link #parse(String)} reads back: {@code 0000:00:03.0} (also {@code pci:0000:00:03.0} or
 * {@code 00:03.0}), {@code sid:0x42}, {@code platform:remoteproc0}.
 */
public sealed interface DeviceId permits PciRequesterId, StreamId, PlatformDeviceName {

    /** The canonical text form. */
    @Override
    String toString();

    /**
     * Reads a canonical text form.
     *
     * @throws IllegalArgumentException with the expected forms if {@code text} matches none
     */
    static DeviceId parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty device id");
        }
        String t = text.strip();
        if (t.startsWith("sid:")) {
            return StreamId.parse(t);
        }
        if (t.startsWith("platform:")) {
            return new PlatformDeviceName(t.substring("platform:".length()));
        }
        if (t.startsWith("pci:")) {
            t = t.substring(4);
        }
        return PciRequesterId.parse(t);
    }
}
