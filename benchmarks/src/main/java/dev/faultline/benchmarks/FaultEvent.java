package dev.faultline.benchmarks;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A decoded fault as the bus and ring peers carry it: a mutable slot reused from fault to fault (the cheapest
 * plausible use of each peer; idiomatic code allocating an event per fault would be slower).
 */
final class FaultEvent {
    int streamId;
    int stag;
    long address;
    boolean read;
    /** For asynchronous delivery: the sender's completion counter, counted up once the fault is answered. */
    AtomicLong completion;

    /** Fills the slot from the record at word {@code base} of {@code ring}. */
    void decode(long[] ring, int base) {
        streamId = StallRecord.streamId(ring, base);
        stag = StallRecord.stag(ring, base);
        address = StallRecord.address(ring, base);
        read = StallRecord.read(ring, base);
    }

    /** Looks up, calls and records: what each peer's subscriber or consumer does with the slot. */
    void answer(Responder[] bySid, Responses responses) {
        Responder handler = streamId < bySid.length ? bySid[streamId] : null;
        responses.record(stag, handler == null ? Responder.INVALID : handler.answer(stag, address, read));
    }
}
