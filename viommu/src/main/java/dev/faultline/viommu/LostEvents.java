package dev.faultline.viommu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The marker for events the guest did not get (queue full, rate limit, too many unanswered groups): it stands
 * where those events would have been and counts them exactly. Consecutive losses share one marker. Its bytes
 * are a bare header with {@link GuestEvent#FLAG_LOST_EVENTS}, as vEVENTQ's; the count is this record's own.
 *
 * @param sequence the marker's sequence number
 * @param count how many events were lost at this point, at least 1
 */
public record LostEvents(int sequence, long count) implements GuestEvent {

    /**
     * Validates the marker.
     *
     * @throws IllegalArgumentException for a negative sequence or a count below 1
     */
    public LostEvents {
        if (sequence < 0 || count < 1) {
            throw new IllegalArgumentException("lost-events marker needs a sequence >= 0 and a count >= 1");
        }
    }

    @Override
    public int flags() {
        return FLAG_LOST_EVENTS;
    }

    @Override
    public byte[] toBytes() {
        return ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(FLAG_LOST_EVENTS).putInt(sequence).array();
    }
}
