package dev.faultline.benchmarks;

/**
 * What every variant's handler does with a page request: a trivial decision that the JIT cannot fold
 * (METHOD.md §1): the parity of the address, the access direction and the handler's own id. Because the
 * id takes part, a fault routed to the wrong handler gets the wrong answer, and the setup check catches it.
 *
 * <p>While {@link #trace(int[]) tracing} (only during the setup check), the handler also writes its id at the
 * fault's stall tag.
 */
final class Responder {
    /** The answer {@code SUCCESS} (Linux value 0). */
    static final int SUCCESS = 0;
    /** The answer {@code INVALID} (Linux value 1). */
    static final int INVALID = 1;

    private final int id;
    private int[] routes;

    Responder(int id) {
        this.id = id;
    }

    /** The handler's id, 0 to handlers - 1. */
    int id() {
        return id;
    }

    /** The answer for a fault, {@link #SUCCESS} or {@link #INVALID}. */
    int answer(int stag, long address, boolean read) {
        int[] r = routes;
        if (r != null) {
            r[stag] = id;
        }
        return (Long.bitCount(address) + (read ? 1 : 0) + id) & 1;
    }

    /** The answer a correct dispatch must produce for a fault routed to handler {@code id}. */
    static int expected(int id, long address, boolean read) {
        return (Long.bitCount(address) + (read ? 1 : 0) + id) & 1;
    }

    /** Starts ({@code routes} not null) or stops ({@code null}) recording which handler saw each stall tag. */
    void trace(int[] routes) {
        this.routes = routes;
    }
}
