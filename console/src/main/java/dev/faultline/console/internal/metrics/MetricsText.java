package dev.faultline.console.internal.metrics;

import dev.faultline.api.stats.AnswerLatency;
import dev.faultline.api.stats.DeviceStatus;
import dev.faultline.api.stats.FaultCounts;
import dev.faultline.api.stats.HandlerStatus;
import dev.faultline.api.stats.IommuStatus;
import dev.faultline.console.internal.state.GuestView;
import dev.faultline.console.internal.state.Observation;
import dev.faultline.viommu.GuestStatistics;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * The metrics of one {@link Observation} in the Prometheus text format (0.0.4) or OpenMetrics 1.0. The names and
 * labels are a stable interface, documented in the module's README: a name is never reused for another meaning.
 *
 * <p>Three scopes of the core's counters carry the same family names under three prefixes, so that summing a
 * labelled family never counts a fault twice: {@code faultline_} (the core's totals, no labels),
 * {@code faultline_device_} (labels {@code device}, {@code backend}) and {@code faultline_handler_} (labels
 * {@code handler}, {@code bundle}, {@code service_id}). Guests' families start with {@code faultline_guest_}
 * (label {@code guest}).
 *
 * <p><b>Size.</b> One class on purpose: the metric names are a stable interface, kept in one place so that no name is
 * reused for another meaning.
 */
public final class MetricsText {
    /** The content type of the Prometheus text format. */
    public static final String PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    /** The content type of OpenMetrics text. */
    public static final String OPENMETRICS_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private static final List<CountFamily> COUNT_FAMILIES = List.of(
            new CountFamily("faults_reported", true, "Faults reported by the backends (page requests and unrecoverable faults).",
                    null, List.of(new Labeled(null, FaultCounts::reported))),
            new CountFamily("fault_outcomes", true, "What became of each reported fault, by outcome.", "outcome",
                    List.of(new Labeled("parked", FaultCounts::parked),
                            new Labeled("dropped_partial", FaultCounts::droppedPartials),
                            new Labeled("dispatched", FaultCounts::dispatched),
                            new Labeled("delivered", FaultCounts::delivered),
                            new Labeled("no_handler", FaultCounts::noHandler),
                            new Labeled("rejected", FaultCounts::rejected))),
            new CountFamily("partials_discarded", true,
                    "Parked partial page requests discarded later (device removed, IOMMU disconnected).", null,
                    List.of(new Labeled(null, FaultCounts::discardedPartials))),
            new CountFamily("groups", true, "Page request groups formed (one per last-page request).", null,
                    List.of(new Labeled(null, FaultCounts::groups))),
            new CountFamily("answers", true, "Page request groups answered, by response code.", "code",
                    List.of(new Labeled("SUCCESS", FaultCounts::answeredSuccess),
                            new Labeled("INVALID", FaultCounts::answeredInvalid),
                            new Labeled("FAILURE", FaultCounts::answeredFailure))),
            new CountFamily("groups_pending", false, "Page request groups waiting for an answer now.", null,
                    List.of(new Labeled(null, FaultCounts::pending))),
            new CountFamily("timed_out", true, "Deferred or queued groups the core answered at their deadline.", null,
                    List.of(new Labeled(null, FaultCounts::timedOut))),
            new CountFamily("abandoned", true, "Groups a handler neither answered nor deferred (answered INVALID).",
                    null, List.of(new Labeled(null, FaultCounts::abandoned))),
            new CountFamily("handler_errors", true, "Handler calls that threw (their groups answered FAILURE).", null,
                    List.of(new Labeled(null, FaultCounts::handlerErrors))),
            new CountFamily("slow_calls", true, "Inline handler calls still running past the blocking threshold.",
                    null, List.of(new Labeled(null, FaultCounts::slowCalls))),
            new CountFamily("duplicate_answers", true, "Answers refused because the group was already answered.",
                    null, List.of(new Labeled(null, FaultCounts::duplicates))),
            new CountFamily("queue_full", true, "Groups a queued handler's full queue could not take.", null,
                    List.of(new Labeled(null, FaultCounts::queueFull))),
            new CountFamily("lost_responses", true, "Answers the backend could not send.", null,
                    List.of(new Labeled(null, FaultCounts::lostResponses))),
            new CountFamily("answered_by_core", true,
                    "Groups the core answered INVALID on an owner's behalf (also in answers), by reason.", "reason",
                    List.of(new Labeled("detach", FaultCounts::answeredAtDetach),
                            new Labeled("removal", FaultCounts::answeredAtRemoval),
                            new Labeled("departure", FaultCounts::answeredAtDeparture))),
            new CountFamily("stale_answers", true,
                    "Answers refused because the group's owner changed before they came.", null,
                    List.of(new Labeled(null, FaultCounts::staleAnswers))),
            new CountFamily("mixed_pasid_partials", true,
                    "Partial page requests parked under a group index another PASID of the device already uses.",
                    null, List.of(new Labeled(null, FaultCounts::mixedPasid))));

    private final boolean openMetrics;
    private final StringBuilder out = new StringBuilder(16 * 1024);

    private MetricsText(boolean openMetrics) {
        this.openMetrics = openMetrics;
    }

    /**
     * Renders {@code observation}.
     *
     * @param openMetrics OpenMetrics 1.0 ({@code # EOF} at the end, counter families declared without
     *     {@code _total}) rather than the Prometheus text format
     */
    public static String render(Observation observation, boolean openMetrics) {
        MetricsText text = new MetricsText(openMetrics);
        text.core(observation);
        text.guests(observation.guests());
        if (openMetrics) {
            text.out.append("# EOF\n");
        }
        return text.out.toString();
    }

    /** Whether an {@code Accept} header asks for OpenMetrics. */
    public static boolean wantsOpenMetrics(String accept) {
        return accept != null && accept.contains("application/openmetrics-text");
    }

    private void core(Observation o) {
        for (CountFamily family : COUNT_FAMILIES) {
            String name = "faultline_" + family.name();
            declare(name, family.counter(), family.help() + " Core totals.");
            for (Labeled l : family.values()) {
                sample(name, family.counter(), l.value().applyAsLong(o.totals()), family.label(), l.label());
            }
        }
        declare("faultline_balanced", false, "1 when every reported fault has an outcome and every group is answered or pending.");
        sample("faultline_balanced", false, o.totals().balanced() ? 1 : 0);

        for (CountFamily family : COUNT_FAMILIES) {
            String name = "faultline_device_" + family.name();
            declare(name, family.counter(), family.help() + " Per device.");
            for (DeviceStatus d : o.devices()) {
                for (Labeled l : family.values()) {
                    sample(name, family.counter(), l.value().applyAsLong(d.counts()), "device", d.device(),
                            "backend", d.iommu(), family.label(), l.label());
                }
            }
        }
        declare("faultline_device_present", false, "1 while the device is present, 0 after it was removed.");
        for (DeviceStatus d : o.devices()) {
            sample("faultline_device_present", false, d.present() ? 1 : 0, "device", d.device(), "backend", d.iommu());
        }
        declare("faultline_device_partials_parked", false, "Partial page requests parked now.");
        for (DeviceStatus d : o.devices()) {
            sample("faultline_device_partials_parked", false, d.partials(), "device", d.device(), "backend", d.iommu());
        }

        for (CountFamily family : COUNT_FAMILIES) {
            String name = "faultline_handler_" + family.name();
            declare(name, family.counter(), family.help() + " Per handler (faults routed to it).");
            for (HandlerStatus h : o.handlers()) {
                for (Labeled l : family.values()) {
                    sample(name, family.counter(), l.value().applyAsLong(h.counts()), "handler", h.name(), "bundle",
                            h.bundle(), "service_id", Long.toString(h.serviceId()), family.label(), l.label());
                }
            }
        }
        declare("faultline_handler_state", false, "1 for the handler's current state, 0 for the others.");
        for (HandlerStatus h : o.handlers()) {
            for (HandlerStatus.State state : HandlerStatus.State.values()) {
                sample("faultline_handler_state", false, h.state() == state ? 1 : 0, "handler", h.name(), "bundle",
                        h.bundle(), "service_id", Long.toString(h.serviceId()), "state", state.name());
            }
        }
        latency("faultline_answer_latency_seconds",
                "Receipt-to-answer latency of page request groups (timed: at most one group per device and millisecond).",
                o.latency());
        declare("faultline_answer_latency_max_seconds", false, "The longest receipt-to-answer latency timed.");
        sample("faultline_answer_latency_max_seconds", seconds(o.latency().maxNanos()));
        declare("faultline_handler_answer_latency_seconds", "summary",
                "Receipt-to-answer latency of the page request groups routed to the handler (timed, as the core's).");
        for (HandlerStatus h : o.handlers()) {
            latencySamples("faultline_handler_answer_latency_seconds", h.answerLatency(), "handler", h.name(),
                    "bundle", h.bundle(), "service_id", Long.toString(h.serviceId()));
        }

        declare("faultline_iommu_connected", false, "1 while a backend drives the IOMMU, 0 between backends.");
        for (IommuStatus i : o.iommus()) {
            sample("faultline_iommu_connected", false, i.connected() ? 1 : 0, "backend", i.name());
        }
        declare("faultline_iommu_overflows", true,
                "Overflow episodes of the IOMMU's fault queues, in which the hardware dropped faults, by queue.");
        for (IommuStatus i : o.iommus()) {
            sample("faultline_iommu_overflows", true, i.faultRecordOverflows(), "backend", i.name(), "queue",
                    "fault_records");
            sample("faultline_iommu_overflows", true, i.pageRequestOverflows(), "backend", i.name(), "queue",
                    "page_requests");
        }

        declare("faultline_handler_deadline_milliseconds", false, "Deadline of the handler's deferred and queued groups.");
        for (HandlerStatus h : o.handlers()) {
            sample("faultline_handler_deadline_milliseconds", false, h.timeoutMillis(), "handler", h.name(), "bundle",
                    h.bundle(), "service_id", Long.toString(h.serviceId()), "dispatch", h.dispatch());
        }
    }

    private void guests(List<GuestView> guests) {
        guestFamily(guests, "faultline_guest_faults_routed", true, "Faults the core handed to the guest's vIOMMU.",
                null, new GuestLabeled(null, GuestStatistics::routed));
        guestFamily(guests, "faultline_guest_events_delivered", true, "Events queued for the guest, by kind.", "kind",
                new GuestLabeled("page_request_group", GuestStatistics::pageRequestGroups),
                new GuestLabeled("unrecoverable", GuestStatistics::unrecoverable));
        guestFamily(guests, "faultline_guest_events_lost", true,
                "Events the guest did not get (counted by lost-events markers), by reason.", "reason",
                new GuestLabeled("rate_limited", GuestStatistics::rateLimited),
                new GuestLabeled("queue_full", GuestStatistics::queueFull),
                new GuestLabeled("pending_full", GuestStatistics::pendingFull));
        guestFamily(guests, "faultline_guest_faults_dropped", true, "Faults not queued and not counted lost, by reason.",
                "reason", new GuestLabeled("unknown_device", GuestStatistics::droppedUnknownDevice),
                new GuestLabeled("closed", GuestStatistics::droppedClosed));
        guestFamily(guests, "faultline_guest_answered_by_host", true,
                "Page request groups the host answered INVALID for the guest.", null,
                new GuestLabeled(null, GuestStatistics::answeredForGuest));
        guestFamily(guests, "faultline_guest_answers", true, "The guest's answers, by result.", "result",
                new GuestLabeled("accepted", GuestStatistics::accepted),
                new GuestLabeled("invalid_code", GuestStatistics::invalidCode),
                new GuestLabeled("forged", GuestStatistics::forged),
                new GuestLabeled("replayed", GuestStatistics::replayed),
                new GuestLabeled("late", GuestStatistics::late));
        guestFamily(guests, "faultline_guest_stale_walks", true,
                "Unrecoverable faults whose walk of the guest's tables succeeded later (the guest changed them).",
                null, new GuestLabeled(null, GuestStatistics::staleWalks));
        guestFamily(guests, "faultline_guest_queue_entries", false, "Entries in the guest's event queue now.", null,
                new GuestLabeled(null, GuestStatistics::queued));
        guestFamily(guests, "faultline_guest_groups_pending", false, "Groups awaiting the guest's answer now.", null,
                new GuestLabeled(null, GuestStatistics::pending));
        declare("faultline_guest_queue_depth", false, "Events the guest's queue holds unread at most.");
        for (GuestView g : guests) {
            sample("faultline_guest_queue_depth", false, g.limits().eventQueueDepth(), "guest", g.name());
        }
        declare("faultline_guest_rate_limit_per_second", false, "The guest's fault rate limit; 0 for none.");
        for (GuestView g : guests) {
            sample("faultline_guest_rate_limit_per_second", false, g.limits().eventsPerSecond(), "guest", g.name());
        }
        declare("faultline_guest_rate_burst", false, "Faults the guest is given back to back.");
        for (GuestView g : guests) {
            sample("faultline_guest_rate_burst", false, g.limits().burst(), "guest", g.name());
        }
    }

    private void guestFamily(List<GuestView> guests, String name, boolean counter, String help, String label,
            GuestLabeled... values) {
        declare(name, counter, help);
        for (GuestView g : guests) {
            for (GuestLabeled l : values) {
                sample(name, counter, l.value().applyAsLong(g.statistics()), "guest", g.name(), label, l.label());
            }
        }
    }

    private void declare(String name, boolean counter, String help) {
        declare(counter && !openMetrics ? name + "_total" : name, counter ? "counter" : "gauge", help);
    }

    private void declare(String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    /** A summary family of one latency: quantiles 0.5 and 0.99, {@code _sum} and {@code _count}. */
    private void latency(String name, String help, AnswerLatency latency) {
        declare(name, "summary", help);
        latencySamples(name, latency);
    }

    private void latencySamples(String name, AnswerLatency latency, String... labels) {
        String[] withQuantile = Arrays.copyOf(labels, labels.length + 2);
        withQuantile[labels.length] = "quantile";
        withQuantile[labels.length + 1] = "0.5";
        sampleText(name, seconds(latency.p50Nanos()), withQuantile);
        withQuantile[labels.length + 1] = "0.99";
        sampleText(name, seconds(latency.p99Nanos()), withQuantile);
        sampleText(name + "_sum", seconds(latency.sumNanos()), labels);
        sampleText(name + "_count", Long.toString(latency.samples()), labels);
    }

    /** Nanoseconds as seconds, in plain decimal notation. */
    static String seconds(long nanos) {
        return BigDecimal.valueOf(nanos, 9).stripTrailingZeros().toPlainString();
    }

    private void sample(String name, String value) {
        sampleText(name, value);
    }

    /** One sample; {@code labels} are name-value pairs, a pair with a {@code null} name is left out. */
    private void sample(String name, boolean counter, long value, String... labels) {
        sampleText(counter ? name + "_total" : name, Long.toString(value), labels);
    }

    private void sampleText(String name, String value, String... labels) {
        out.append(name);
        boolean first = true;
        for (int i = 0; i + 1 < labels.length; i += 2) {
            if (labels[i] == null) {
                continue;
            }
            out.append(first ? '{' : ',').append(labels[i]).append("=\"");
            escape(labels[i + 1]);
            out.append('"');
            first = false;
        }
        if (!first) {
            out.append('}');
        }
        out.append(' ').append(value).append('\n');
    }

    private void escape(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
    }

    private record Labeled(String label, ToLongFunction<FaultCounts> value) {
    }

    private record GuestLabeled(String label, ToLongFunction<GuestStatistics> value) {
    }

    private record CountFamily(String name, boolean counter, String help, String label, List<Labeled> values) {
    }
}
