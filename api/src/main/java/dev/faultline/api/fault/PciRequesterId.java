package dev.faultline.api.fault;

/**
 * A PCI requester id: segment, bus, device, function.
 *
 * @param segment PCI segment (domain), 0 to 0xffff
 * @param bus bus number, 0 to 0xff
 * @param device device number, 0 to 0x1f
 * @param function function number, 0 to 7
 */
public record PciRequesterId(int segment, int bus, int device, int function) implements DeviceId {

    public PciRequesterId {
        check("segment", segment, 0xffff);
        check("bus", bus, 0xff);
        check("device", device, 0x1f);
        check("function", function, 0x7);
    }

    /** The id for a 16-bit requester id ({@code bus << 8 | device << 3 | function}) on a segment. */
    public static PciRequesterId ofRid(int segment, int rid) {
        check("requester id", rid, 0xffff);
        return new PciRequesterId(segment, rid >>> 8, (rid >>> 3) & 0x1f, rid & 0x7);
    }

    /** The 16-bit requester id (source id in VT-d records). */
    public int rid() {
        return bus << 8 | device << 3 | function;
    }

    /**
     * Reads {@code ssss:bb:dd.f} or {@code bb:dd.f} (hex).
     *
     * @throws IllegalArgumentException if the text is not of that form or a field is out of range
     */
    public static PciRequesterId parse(String text) {
        String[] parts = text.split(":");
        try {
            if (parts.length == 2 || parts.length == 3) {
                int segment = parts.length == 3 ? Integer.parseInt(parts[0], 16) : 0;
                String bus = parts[parts.length - 2];
                String[] devFn = parts[parts.length - 1].split("\\.");
                if (devFn.length == 2) {
                    return new PciRequesterId(segment, Integer.parseInt(bus, 16),
                            Integer.parseInt(devFn[0], 16), Integer.parseInt(devFn[1], 16));
                }
            }
        } catch (NumberFormatException e) {
            // fall through to the error below
        }
        throw new IllegalArgumentException("not a device id: '" + text
                + "' (expected ssss:bb:dd.f, bb:dd.f, sid:0x<hex> or platform:<name>)");
    }

    private static void check(String what, int value, int max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException("PCI " + what + " 0x" + Integer.toHexString(value)
                    + " is outside [0, 0x" + Integer.toHexString(max) + "]");
        }
    }

    @Override
    public String toString() {
        return String.format("%04x:%02x:%02x.%x", segment, bus, device, function);
    }
}
