package dev.faultline.faultlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.api.fault.HardwareRecord;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** JSON Lines and the table: conventions, escaping, alignment; and the value rules of DecodedFault. */
class OutputTest {

    private static DecodedFault fault(Map<FaultField, Object> fields) {
        return new DecodedFault(FaultFormat.REMOTEPROC_CRASH, 3, fields, HardwareRecord.NONE);
    }

    @Test
    void jsonEscapesWhatJsonRequiresAndReadsBackToTheSameText() {
        String nasty = "a\"b\\c\nd\te\u0001f\u2028g\ud800h\u00e9";
        Map<FaultField, Object> fields = new LinkedHashMap<>();
        fields.put(FaultField.RPROC, nasty);
        String json = JsonLines.toJson(fault(fields));
        assertThat(json).doesNotContain("\n").contains("\\u0001", "\\u2028", "\\ud800", "\\\"", "\\\\");
        assertThat(Json.object(json)).containsEntry("rproc", nasty);
    }

    @Test
    void jsonWritesHexWithoutLeadingZerosIntegersBooleansListsAndAssertedNone() {
        Map<FaultField, Object> fields = new LinkedHashMap<>();
        fields.put(FaultField.DA, 0xffff_ffff_ffff_f000L);
        fields.put(FaultField.FLAGS, 0L);
        fields.put(FaultField.CB, 12L);
        fields.put(FaultField.WRITE, true);
        fields.put(FaultField.PASID, null);
        fields.put(FaultField.FLAG_NAMES, List.of("PR", "RW"));
        assertThat(JsonLines.toJson(fault(fields))).isEqualTo("{\"format\":\"remoteproc-crash\",\"pasid\":null,"
                + "\"write\":true,\"cb\":12,\"flags\":\"0x0\",\"flag_names\":[\"PR\",\"RW\"],"
                + "\"da\":\"0xfffffffffffff000\"}");
    }

    @Test
    void absentAndAssertedNoneAreDifferent() {
        Map<FaultField, Object> fields = new LinkedHashMap<>();
        fields.put(FaultField.PASID, null);
        DecodedFault f = fault(fields);
        assertThat(f.determined(FaultField.PASID)).isTrue();
        assertThat(f.assertedNone(FaultField.PASID)).isTrue();
        assertThat(f.number(FaultField.PASID)).isEmpty();
        assertThat(f.determined(FaultField.SSID)).isFalse();
        assertThat(f.assertedNone(FaultField.SSID)).isFalse();
    }

    @Test
    void valuesOfTheWrongKindAreRejected() {
        assertThatThrownBy(() -> fault(Map.of(FaultField.ADDRESS, "0x1000")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("address");
        assertThatThrownBy(() -> fault(Map.of(FaultField.FSR_FLAGS, List.of(1))))
                .isInstanceOf(IllegalArgumentException.class);
        DecodedFault f = fault(Map.of(FaultField.CB, 1L));
        assertThatThrownBy(() -> f.text(FaultField.CB)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> f.fields().put(FaultField.CB, 2L)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void everyFieldAndFormatKeyReadsBack() {
        for (FaultField field : FaultField.values()) {
            assertThat(FaultField.ofKey(field.key())).isSameAs(field);
        }
        for (FaultFormat format : FaultFormat.values()) {
            assertThat(FaultFormat.ofKey(format.key())).isSameAs(format);
        }
        assertThatThrownBy(() -> FaultField.ofKey("nope")).hasMessageContaining("nope");
    }

    @Test
    void tableColumnsAreAlignedAndTheSummaryCountsLines() {
        DecodedLog log = new LogDecoder().decode(List.of(
                "DMAR: [DMA Write NO_PASID] Request device [00:02.0] fault addr 0x7f001000 [fault reason 0x05] PTE"
                        + " Write access is not set",
                "unrelated",
                "arm-smmu 5000000.iommu: Unhandled context fault: fsr=0x40000002, iova=0x00001000, fsynr=0x11,"
                        + " cbfrsynra=0x21, cb=3"));
        List<String> lines = FaultTable.render(log).lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).startsWith("LINE  FORMAT ");
        int addressColumn = lines.get(0).indexOf("ADDRESS");
        assertThat(lines.get(1).substring(addressColumn)).startsWith("0x7f001000 ");
        assertThat(lines.get(2).substring(addressColumn)).startsWith("0x1000 ");
        assertThat(lines.get(1)).contains("-w--", "DMA Write [0x05] PTE Write access is not set");
        assertThat(lines.get(2)).contains("sid 0x21", "TF|SS");
        assertThat(lines.get(3)).isEqualTo("2 faults in 3 lines, 1 line not recognised");
        assertThat(Arrays.stream(lines.get(1).split("")).anyMatch(c -> c.equals("\t"))).isFalse();
        assertThat(log.toString()).isEqualTo(FaultTable.render(log));
    }

    @Test
    void aLogWithoutFaultsPrintsOnlyTheSummary() {
        assertThat(FaultTable.render(new LogDecoder().decode("hello\n\nworld\n")))
                .isEqualTo("0 faults in 3 lines, 2 lines not recognised\n");
    }
}
