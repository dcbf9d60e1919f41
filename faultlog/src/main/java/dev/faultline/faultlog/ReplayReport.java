package dev.faultline.faultlog;

import dev.faultline.api.backend.ReportOutcome;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.ResponseCode;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a replay did.
 *
 * @param decoded the fault reports offered
 * @param devices the devices the replay added, in the replay namespace ({@link ReplayNamespace}), each with the id
 *     the log printed for it
 * @param replayed the faults reported to the pipeline
 * @param notReplayed reports that were not, counted by reason (no device in the log, interrupt remapping,
 *     the device could not be added, ...)
 * @param outcomes what the pipeline did with the replayed faults
 * @param responses the page responses the replay backend received, by code
 * @param awaitedResponses the responses owed: one per last-page request reported
 * @param unanswered groups owed a response that none came for, even after disconnecting (0 from a correct core)
 * @param extraResponses responses beyond those owed (0 from a correct core)
 * @param errors what went wrong outside the counts above (a pipeline that threw, ...)
 */
public record ReplayReport(int decoded, Map<DeviceId, DeviceId> devices, int replayed, Map<String, Integer> notReplayed,
        Map<ReportOutcome, Integer> outcomes, Map<ResponseCode, Integer> responses, int awaitedResponses,
        int unanswered, int extraResponses, List<String> errors) {

    /** Labels are padded to this width, so values line up. */
    private static final int LABEL_WIDTH = 17;

    /** Copies the maps (ordered) and the error list. */
    public ReplayReport {
        devices = Collections.unmodifiableMap(new LinkedHashMap<>(devices));
        notReplayed = Collections.unmodifiableMap(new LinkedHashMap<>(notReplayed));
        outcomes = Collections.unmodifiableMap(copy(ReportOutcome.class, outcomes));
        responses = Collections.unmodifiableMap(copy(ResponseCode.class, responses));
        errors = List.copyOf(errors);
    }

    /** How often the pipeline answered {@code outcome}. */
    public int outcome(ReportOutcome outcome) {
        return outcomes.getOrDefault(outcome, 0);
    }

    /** How many responses carried {@code code}. */
    public int responses(ResponseCode code) {
        return responses.getOrDefault(code, 0);
    }

    /** Whether every owed response came, once, and nothing failed. */
    public boolean clean() {
        return unanswered == 0 && extraResponses == 0 && errors.isEmpty();
    }

    /** The report as aligned text lines for people. */
    public String render() {
        StringBuilder sb = new StringBuilder();
        line(sb, "faults decoded", Integer.toString(decoded));
        devices.forEach((replay, logged) -> line(sb, "device", logged + " as " + replay));
        line(sb, "faults replayed", Integer.toString(replayed));
        notReplayed.forEach((why, n) -> line(sb, "not replayed", n + " (" + why + ")"));
        line(sb, "outcomes", counts(outcomes));
        line(sb, "responses", counts(responses) + " (" + awaitedResponses + " owed)");
        if (unanswered > 0) {
            line(sb, "UNANSWERED", Integer.toString(unanswered));
        }
        if (extraResponses > 0) {
            line(sb, "EXTRA RESPONSES", Integer.toString(extraResponses));
        }
        errors.forEach(e -> line(sb, "error", e));
        return sb.toString();
    }

    @Override
    public String toString() {
        return render();
    }

    private static void line(StringBuilder sb, String label, String value) {
        sb.append(label).append(':').append(" ".repeat(LABEL_WIDTH - label.length())).append(value).append('\n');
    }

    private static String counts(Map<? extends Enum<?>, Integer> counts) {
        StringBuilder sb = new StringBuilder();
        counts.forEach((k, n) -> sb.append(sb.length() == 0 ? "" : " ").append(k.name()).append('=').append(n));
        return sb.length() == 0 ? "none" : sb.toString();
    }

    private static <E extends Enum<E>> EnumMap<E, Integer> copy(Class<E> type, Map<E, Integer> counts) {
        EnumMap<E, Integer> m = new EnumMap<>(type);
        m.putAll(counts);
        return m;
    }
}
