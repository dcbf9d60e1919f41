package dev.faultline.core.internal.shell;

import dev.faultline.api.stats.FaultCounts;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;

/**
 * The counters of {@link FaultCounts} as {@code faultline:stats} prints them: every one in JSON and in the
 * totals, the ones a reader scans for per device in the device table.
 */
enum Counter {
    REPORTED("reported", true, FaultCounts::reported),
    PARKED("parked", false, FaultCounts::parked),
    DROPPED_PARTIALS("dropped partials", false, FaultCounts::droppedPartials),
    DISCARDED_PARTIALS("discarded partials", false, FaultCounts::discardedPartials),
    DISPATCHED("dispatched", false, FaultCounts::dispatched),
    DELIVERED("delivered", false, FaultCounts::delivered),
    NO_HANDLER("no handler", true, FaultCounts::noHandler),
    REJECTED("rejected", false, FaultCounts::rejected),
    GROUPS("groups", true, FaultCounts::groups),
    ANSWERED_SUCCESS("success", true, FaultCounts::answeredSuccess),
    ANSWERED_INVALID("invalid", true, FaultCounts::answeredInvalid),
    ANSWERED_FAILURE("failure", true, FaultCounts::answeredFailure),
    PENDING("pending", true, FaultCounts::pending),
    TIMED_OUT("timed out", true, FaultCounts::timedOut),
    ABANDONED("abandoned", false, FaultCounts::abandoned),
    HANDLER_ERRORS("handler errors", true, FaultCounts::handlerErrors),
    SLOW_CALLS("slow calls", false, FaultCounts::slowCalls),
    DUPLICATES("duplicates", false, FaultCounts::duplicates),
    QUEUE_FULL("queue full", false, FaultCounts::queueFull),
    LOST_RESPONSES("lost responses", false, FaultCounts::lostResponses),
    ANSWERED_AT_DETACH("answered at detach", false, FaultCounts::answeredAtDetach),
    STALE_ANSWERS("stale answers", false, FaultCounts::staleAnswers),
    ANSWERED_AT_REMOVAL("answered at removal", false, FaultCounts::answeredAtRemoval),
    ANSWERED_AT_DEPARTURE("answered at departure", false, FaultCounts::answeredAtDeparture),
    MIXED_PASID("mixed pasid", false, FaultCounts::mixedPasid);

    final String label;
    private final boolean inTable;
    private final ToLongFunction<FaultCounts> value;

    Counter(String label, boolean inTable, ToLongFunction<FaultCounts> value) {
        this.label = label;
        this.inTable = inTable;
        this.value = value;
    }

    long of(FaultCounts counts) {
        return value.applyAsLong(counts);
    }

    /** The column headers: every counter's JSON key ({@code answered_success}), or the table's labels. */
    static List<String> headers(boolean json) {
        List<String> headers = new ArrayList<>();
        for (Counter counter : values()) {
            if (json || counter.inTable) {
                headers.add(json ? counter.name().toLowerCase(Locale.ROOT) : counter.label);
            }
        }
        return headers;
    }

    /** The cells under {@link #headers(boolean)}. */
    static List<Object> cells(FaultCounts counts, boolean json) {
        List<Object> cells = new ArrayList<>();
        for (Counter counter : values()) {
            if (json || counter.inTable) {
                cells.add(counter.of(counts));
            }
        }
        return cells;
    }
}
