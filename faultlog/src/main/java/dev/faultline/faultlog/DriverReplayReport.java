package dev.faultline.faultlog;

import dev.faultline.api.fault.DeviceId;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a replay into the simulated machine's drivers did ({@link DriverReplayer}): a row per machine device that
 * logged reports were mapped to, what its hardware did with them and what the core then did with its faults.
 *
 * @param rows one per mapped machine device, in order of first report
 * @param notDelivered mapped reports that were not delivered, by reason
 * @param errors what went wrong outside the counts above
 */
public record DriverReplayReport(List<Row> rows, Map<String, Integer> notDelivered, List<String> errors) {

    /** Copies. */
    public DriverReplayReport {
        rows = List.copyOf(rows);
        notDelivered = Collections.unmodifiableMap(new LinkedHashMap<>(notDelivered));
        errors = List.copyOf(errors);
    }

    /**
     * One machine device and its driver.
     *
     * @param device the machine device the reports were mapped to
     * @param driver who owns the device's faults: the remote processor, the bundles of the handlers serving the
     *     device, or {@code no handler} (the IOMMU driver prints the fault)
     * @param deliveries the reports delivered, by what became of them
     * @param coreDelivered faults of the device the core handed to a handler during the replay
     * @param coreNoHandler faults of the device nobody handles (answered and printed by the IOMMU driver)
     */
    public record Row(DeviceId device, String driver, Map<Delivery, Integer> deliveries, long coreDelivered,
            long coreNoHandler) {

        /** Copies. */
        public Row {
            EnumMap<Delivery, Integer> copy = new EnumMap<>(Delivery.class);
            copy.putAll(deliveries);
            deliveries = Collections.unmodifiableMap(copy);
        }

        /** How many reports had {@code delivery}. */
        public int count(Delivery delivery) {
            return deliveries.getOrDefault(delivery, 0);
        }
    }

    /** The row of {@code device}, if reports were mapped to it. */
    public java.util.Optional<Row> row(DeviceId device) {
        return rows.stream().filter(r -> r.device().equals(device)).findFirst();
    }

    /** The report as a table for people: a line per device, then what was not delivered and the errors. */
    public String render() {
        String[] header = {"device", "driver", "delivered", "core"};
        List<String[]> lines = new java.util.ArrayList<>();
        lines.add(header);
        for (Row r : rows) {
            StringBuilder d = new StringBuilder();
            r.deliveries().forEach((k, n) -> d.append(d.length() == 0 ? "" : " ").append(k.name()).append('=').append(n));
            lines.add(new String[] {r.device().toString(), r.driver(), d.length() == 0 ? "none" : d.toString(),
                "handled=" + r.coreDelivered() + " no-handler=" + r.coreNoHandler()});
        }
        int[] width = new int[header.length];
        for (String[] l : lines) {
            for (int i = 0; i < l.length; i++) {
                width[i] = Math.max(width[i], l[i].length());
            }
        }
        StringBuilder sb = new StringBuilder("drivers:\n");
        for (String[] l : lines) {
            StringBuilder line = new StringBuilder("  ");
            for (int i = 0; i < l.length; i++) {
                line.append(l[i]).append(i + 1 < l.length ? " ".repeat(width[i] - l[i].length() + 2) : "");
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        notDelivered.forEach((why, n) -> sb.append("not delivered: ").append(n).append(" (").append(why).append(")\n"));
        errors.forEach(e -> sb.append("error: ").append(e).append('\n'));
        return sb.toString();
    }

    @Override
    public String toString() {
        return render();
    }
}
