package dev.faultline.platform.smmuv3;

/**
 * A raw SMMUv3 event number as found in a record (bits [7:0]), known or not.
 *
 * @param raw the number, 0 to 255
 */
public record EventId(int raw) {

    /**
     * Validates the number.
     *
     * @throws IllegalArgumentException if it does not fit 8 bits
     */
    public EventId {
        if (raw < 0 || raw > 0xff) {
            throw new IllegalArgumentException("SMMUv3 event number " + raw + " does not fit 8 bits");
        }
    }

    /** The type ({@link EventType#UNKNOWN} for reserved numbers). */
    public EventType type() {
        return EventType.of(raw);
    }

    /** The spec name; {@code IMPDEF_EVENT<n>} for implementation-defined numbers, {@code UNKNOWN} for reserved ones. */
    public String specName() {
        EventType t = type();
        return t == EventType.IMPDEF_EVENT ? "IMPDEF_EVENT" + (raw - 0xE0) : t.specName();
    }

    /** The name Linux prints ({@code UNKNOWN} for any number it does not name). */
    public String linuxName() {
        return type().linuxName();
    }

    /** {@code 0x10 F_TRANSLATION}, {@code 0x7f UNKNOWN}. */
    @Override
    public String toString() {
        return String.format("0x%02x %s", raw, specName());
    }
}
