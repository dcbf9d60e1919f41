package dev.faultline.benchmarks;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The correctness check every variant passes before it is measured (METHOD.md §1): every record of every
 * source is dispatched once, and each answer and the handler that gave it are compared with what the direct
 * call produces. A variant that drops, misroutes or misanswers a fault fails its setup and yields no number.
 */
final class SetupCheck {
    private static final long DRAIN_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

    private SetupCheck() {
    }

    /**
     * Runs the check.
     *
     * @throws IllegalStateException describing the first wrong fault
     */
    static void verify(Workload workload, DispatchPath path) {
        Responses responses = workload.responses();
        responses.clear();
        int[] routes = new int[responses.size()];
        Arrays.fill(routes, -1);
        for (int h = 0; h < workload.handlers(); h++) {
            workload.responder(h).trace(routes);
        }
        try {
            for (int s = 0; s < workload.sources(); s++) {
                Sender sender = path.sender(s);
                long[] ring = workload.ring(s);
                for (int slot = 0; slot < Workload.RECORDS; slot++) {
                    sender.dispatch(ring, slot * StallRecord.WORDS);
                }
            }
            path.drain(DRAIN_TIMEOUT_NANOS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("faults left unanswered: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for answers", e);
        } finally {
            for (int h = 0; h < workload.handlers(); h++) {
                workload.responder(h).trace(null);
            }
        }
        compare(workload, responses, routes);
        responses.clear();
    }

    private static void compare(Workload workload, Responses responses, int[] routes) {
        for (int s = 0; s < workload.sources(); s++) {
            long[] ring = workload.ring(s);
            for (int slot = 0; slot < Workload.RECORDS; slot++) {
                int base = slot * StallRecord.WORDS;
                int stag = Workload.stag(s, slot);
                int device = workload.deviceOf(s, slot);
                int handler = workload.responderOf(device).id();
                int want = Responder.expected(handler, StallRecord.address(ring, base), StallRecord.read(ring, base));
                if (routes[stag] != handler || responses.code(stag) != want) {
                    throw new IllegalStateException(String.format(
                            "source %d record %d (stream id 0x%x): expected handler %d answering %d, got handler %d"
                                    + " answering %d", s, slot, workload.streamId(device), handler, want,
                            routes[stag], responses.code(stag)));
                }
            }
        }
    }
}
