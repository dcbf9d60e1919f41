package dev.faultline.benchmarks;

/**
 * The bare limit: a hand-written loop body with no framework. Decode, find the handler in an array indexed by
 * stream id, call it, record the answer. A fault of an unknown stream id is answered {@code INVALID}.
 */
final class DirectCall implements DispatchPath {
    private final Responder[] bySid;
    private final Responses responses;

    DirectCall(Workload workload) {
        bySid = workload.respondersByStreamId();
        responses = workload.responses();
    }

    @Override
    public Sender sender(int source) {
        return this::dispatch;
    }

    private void dispatch(long[] ring, int base) {
        int sid = StallRecord.streamId(ring, base);
        int stag = StallRecord.stag(ring, base);
        long address = StallRecord.address(ring, base);
        boolean read = StallRecord.read(ring, base);
        Responder handler = sid < bySid.length ? bySid[sid] : null;
        responses.record(stag, handler == null ? Responder.INVALID : handler.answer(stag, address, read));
    }

    @Override
    public void close() {
    }
}
