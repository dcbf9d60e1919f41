package dev.faultline.api.fault;

/**
 * An SMMU StreamID (32 bits in SMMUv3 event records, dw0[63:32]; unsigned).
 *
 * @param value the stream id, read as an unsigned 32-bit value
 */
public record StreamId(int value) implements DeviceId {

    /**
     * Reads {@code sid:0x<hex>} or {@code sid:<decimal>}.
     *
     * @throws IllegalArgumentException if the text is not of that form
     */
    public static StreamId parse(String text) {
        String body = text.startsWith("sid:") ? text.substring(4) : text;
        try {
            long v = body.startsWith("0x") || body.startsWith("0X")
                    ? Long.parseLong(body.substring(2), 16) : Long.parseLong(body);
            if (v < 0 || v > 0xffff_ffffL) {
                throw new IllegalArgumentException("stream id " + body + " does not fit 32 bits");
            }
            return new StreamId((int) v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a stream id: '" + text + "' (expected sid:0x<hex>)", e);
        }
    }

    @Override
    public String toString() {
        return "sid:0x" + Integer.toHexString(value);
    }
}
