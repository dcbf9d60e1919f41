package dev.faultline.faultlog;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** What is put in front of kernel messages is removed, and nothing of the message itself. */
class LinePrefixesTest {
    private static final String MESSAGE = "DMAR: [DMA Read NO_PASID] Request device [00:02.0] fault addr 0x1000"
            + " [fault reason 0x06] PTE Read access is not set";

    @ParameterizedTest
    @ValueSource(strings = {
        "[   12.345678] ",
        "[Tue Nov 24 12:00:00 2026] ",
        "[Tue Nov  4 02:00:00 2026] ",
        "Nov 24 12:00:00 myhost kernel: ",
        "Nov  4 12:00:00 myhost kernel: [ 1.000000] ",
        "2026-11-24T12:00:00+0000 myhost kernel: ",
        "2026-11-24T12:00:00,123456+00:00 ",
        "kernel: [  221.562629] ",
        "[    0.938401] kernel: ",
        "<3>[    1.000000] ",
        "[    7.471032][  T134] ",
        "> ",
        "> > ",
        ">>>> ",
        ">   [  141.948389] ",
        "> +# [  153.639162] ",
        "+[ 1.0] ",
        "    ",
        "/ # ",
        "root@rb5:~# ",
    })
    void prefixesAreRemovedAndTheMessageIsKept(String prefix) {
        assertThat(LinePrefixes.strip(prefix + MESSAGE)).isEqualTo(MESSAGE);
    }

    @Test
    void aVendorCallerPrefixGluedToTheDriverNameIsRemoved() {
        assertThat(LinePrefixes.strip("[    7.471032] [pid:134,cpu0,irq/13-arm-smmu]arm-smmu-v3 arm-smmu-v3.0.auto:"
                + " event 0x07 received:")).isEqualTo("arm-smmu-v3 arm-smmu-v3.0.auto: event 0x07 received:");
    }

    @Test
    void bracketsThatBelongToTheMessageStay() {
        assertThat(LinePrefixes.strip("       [fault reason 0x5a]")).isEqualTo("[fault reason 0x5a]");
        assertThat(LinePrefixes.strip("remoteproc remoteproc0: handling crash #4 in soccp"))
                .isEqualTo("remoteproc remoteproc0: handling crash #4 in soccp");
    }

    @Test
    void quotedPrintableSoftBreaksAndEscapesAreJoinedIntoOneReport() {
        DecodedLog log = new LogDecoder().decode(List.of(
                "> arm-smmu 15000000.iommu: Unhandled context fault: fsr=3D0x402, iova=3D0x=",
                "> d51e3e00, fsynr=3D0x600002, cbfrsynra=3D0x2a00, cb=3D6",
                "",
                "> unrelated"));
        assertThat(log.faults()).hasSize(1);
        assertThat(log.faults().get(0).number(FaultField.ADDRESS)).hasValue(0xd51e3e00L);
        assertThat(log.faults().get(0).number(FaultField.CB)).hasValue(6);
        assertThat(log.lines()).isEqualTo(4);
        assertThat(log.ignoredLines()).isEqualTo(1);
    }

    @Test
    void aSeparatorOfEqualsSignsIsNotASoftBreak() {
        DecodedLog log = new LogDecoder().decode(List.of("mmc0: sdhci: ============================================",
                "AMD-Vi: Event logged [IO_PAGE_FAULT device=00:13.1 domain=0x0000 address=0x1000 flags=0x0050]"));
        assertThat(log.faults()).hasSize(1);
        assertThat(log.ignoredLines()).isEqualTo(1);
    }
}
