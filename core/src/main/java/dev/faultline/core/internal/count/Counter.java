package dev.faultline.core.internal.count;

import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.stats.FaultCounts;
import java.util.function.ObjLongConsumer;
import java.util.function.ToLongFunction;

/**
 * The counters kept per device and per handler; each is one field of {@link FaultCounts}, read and written through
 * the accessor and builder method it names, so snapshots and sums go over all of them without listing them again
 * ({@code pending} is not a counter: it is counted from the live groups). The ones every answered fault counts come
 * first, so that they share the first cache line of {@link Counters}.
 */
public enum Counter {
    REPORTED(FaultCounts::reported, FaultCounts.Builder::reported),
    GROUPS(FaultCounts::groups, FaultCounts.Builder::groups),
    DISPATCHED(FaultCounts::dispatched, FaultCounts.Builder::dispatched),
    ANSWERED_SUCCESS(FaultCounts::answeredSuccess, FaultCounts.Builder::answeredSuccess),
    ANSWERED_INVALID(FaultCounts::answeredInvalid, FaultCounts.Builder::answeredInvalid),
    DELIVERED(FaultCounts::delivered, FaultCounts.Builder::delivered),
    ANSWERED_FAILURE(FaultCounts::answeredFailure, FaultCounts.Builder::answeredFailure),
    NO_HANDLER(FaultCounts::noHandler, FaultCounts.Builder::noHandler),
    PARKED(FaultCounts::parked, FaultCounts.Builder::parked),
    DROPPED_PARTIAL(FaultCounts::droppedPartials, FaultCounts.Builder::droppedPartials),
    DISCARDED_PARTIAL(FaultCounts::discardedPartials, FaultCounts.Builder::discardedPartials),
    REJECTED(FaultCounts::rejected, FaultCounts.Builder::rejected),
    TIMED_OUT(FaultCounts::timedOut, FaultCounts.Builder::timedOut),
    ABANDONED(FaultCounts::abandoned, FaultCounts.Builder::abandoned),
    HANDLER_ERRORS(FaultCounts::handlerErrors, FaultCounts.Builder::handlerErrors),
    SLOW_CALLS(FaultCounts::slowCalls, FaultCounts.Builder::slowCalls),
    DUPLICATES(FaultCounts::duplicates, FaultCounts.Builder::duplicates),
    QUEUE_FULL(FaultCounts::queueFull, FaultCounts.Builder::queueFull),
    LOST_RESPONSES(FaultCounts::lostResponses, FaultCounts.Builder::lostResponses),
    ANSWERED_AT_DETACH(FaultCounts::answeredAtDetach, FaultCounts.Builder::answeredAtDetach),
    STALE_ANSWERS(FaultCounts::staleAnswers, FaultCounts.Builder::staleAnswers),
    ANSWERED_AT_REMOVAL(FaultCounts::answeredAtRemoval, FaultCounts.Builder::answeredAtRemoval),
    ANSWERED_AT_DEPARTURE(FaultCounts::answeredAtDeparture, FaultCounts.Builder::answeredAtDeparture),
    MIXED_PASID(FaultCounts::mixedPasid, FaultCounts.Builder::mixedPasid);

    private static final Counter[] VALUES = values();

    private final ToLongFunction<FaultCounts> read;
    private final ObjLongConsumer<FaultCounts.Builder> write;

    Counter(ToLongFunction<FaultCounts> read, ObjLongConsumer<FaultCounts.Builder> write) {
        this.read = read;
        this.write = write;
    }

    /** All counters, without allocating. */
    public static Counter[] all() {
        return VALUES;
    }

    /** This counter's value in {@code counts}. */
    public long of(FaultCounts counts) {
        return read.applyAsLong(counts);
    }

    /** Sets this counter's field of {@code builder} to {@code value}. */
    public void set(FaultCounts.Builder builder, long value) {
        write.accept(builder, value);
    }

    /** The counter of groups answered with {@code code}. */
    public static Counter answered(ResponseCode code) {
        switch (code) {
            case SUCCESS:
                return ANSWERED_SUCCESS;
            case INVALID:
                return ANSWERED_INVALID;
            default:
                return ANSWERED_FAILURE;
        }
    }
}
