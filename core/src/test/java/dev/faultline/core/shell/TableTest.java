package dev.faultline.core.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TableTest {
    @Test
    void textAlignsColumnsUnderTheHeadersAndRightAlignsNumbers() {
        Table table = Table.of("device", "iommu", "faults").row("0000:03:00.0", "smmuv3.0", 1234L)
                .row("platform:adreno0", "smmuv3.0", 7L);

        assertThat(table.text()).isEqualTo("""
                device            iommu     faults
                0000:03:00.0      smmuv3.0    1234
                platform:adreno0  smmuv3.0       7
                """);
    }

    @Test
    void anEmptyTableSaysNoneUnderItsHeadersAndATitleComesFirst() {
        assertThat(Table.of("guest", "faults").titled("guests").text()).isEqualTo("""
                guests:
                guest  faults
                (none)
                """);
    }

    @Test
    void cellsAreOneLineAndListsAreJoined() {
        Table table = Table.of("name", "domains", "note").row("h", List.of("a", "b"), null).row("x", List.of(), "two\nlines");

        assertThat(table.text()).isEqualTo("""
                name  domains  note
                h     a, b
                x              two lines
                """);
    }

    @Test
    void jsonIsAnArrayOfObjectsKeyedByTheHeadersWithTypedValues() {
        Table table = Table.of("device", "faults", "present", "domains", "note")
                .row("0000:03:00.0", 12L, true, List.of("sva \"5\"", 3), null);

        assertThat(table.json()).isEqualTo("""
                [
                  {"device": "0000:03:00.0", "faults": 12, "present": true, "domains": ["sva \\"5\\"", 3], "note": null}
                ]""");
        assertThat(Table.of("a").json()).isEqualTo("[]");
    }

    @Test
    void jsonEscapesControlCharacters() {
        assertThat(Table.of("t").row("a\\b\t\u0001").json()).contains("\"a\\\\b\\t\\u0001\"");
    }

    @Test
    void severalTablesRenderAsTextsOrAsOneObjectByTitle() {
        Table totals = Table.of("reported").row(3L).titled("totals");
        Table devices = Table.of("device").row("d").titled("devices");

        assertThat(Table.render(false, totals, devices)).isEqualTo("""
                totals:
                reported
                       3

                devices:
                device
                d
                """);
        assertThat(Table.render(true, totals, devices)).isEqualTo("""
                {
                "totals": [
                  {"reported": 3}
                ],
                "devices": [
                  {"device": "d"}
                ]
                }""");
        assertThat(Table.render(true, devices)).isEqualTo(devices.json());
    }

    @Test
    void aRowMustFillEveryColumnAndSeveralJsonTablesNeedTitles() {
        assertThatThrownBy(() -> Table.of("a", "b").row("x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1 cells in a table of 2 columns");
        assertThatThrownBy(() -> Table.render(true, Table.of("a"), Table.of("b")))
                .hasMessageContaining("distinct titles");
    }

    record Counters(long faults, boolean stalled, String source) {
    }

    @Test
    void recordsGiveAColumnPerComponentAndTransposingTurnsRowsIntoColumns() {
        Map<String, Counters> units = new LinkedHashMap<>();
        units.put("dmar0", new Counters(12, true, "prq"));
        units.put("dmar1", new Counters(3, false, "fault"));
        Table table = Table.ofRecords("unit", Counters.class, units).titled("units");

        assertThat(table.json()).isEqualTo("""
                [
                  {"unit": "dmar0", "faults": 12, "stalled": true, "source": "prq"},
                  {"unit": "dmar1", "faults": 3, "stalled": false, "source": "fault"}
                ]""");
        assertThat(table.transposed("counter").text()).isEqualTo("""
                units:
                counter  dmar0  dmar1
                faults   12     3
                stalled  true   false
                source   prq    fault
                """);
    }
}
