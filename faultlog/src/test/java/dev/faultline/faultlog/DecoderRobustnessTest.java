package dev.faultline.faultlog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.testkit.property.Gen;
import dev.faultline.testkit.property.Gens;
import dev.faultline.testkit.property.Property;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Arbitrary text never makes the decoder throw, never yields more faults than non-blank lines, and always
 * gives JSON the reader accepts. The text mixes random characters with fragments of every recognised message,
 * prefixes and numbers of any width, so that the parsers' partial matches are exercised.
 */
class DecoderRobustnessTest {
    private static final List<String> FRAGMENTS = List.of("arm-smmu-v3 a.smmu: ", "event 0x10 received:",
            "event 0xff received:", "0x", "0x0000000100002810", "ffffffffffffffffff", " ", "\t", "event: F_TRANSLATION",
            " client: (unassigned sid)", " sid: 0x", " ssid: 0x5", " iova: 0x", " ipa: 0x1", " fetch_addr: 0x",
            "unpriv data read s2 \"Reserved\" stall stag: 0x", "arm-smmu b.iommu: ", "Unhandled context fault: ",
            "fsr=0x402, iova=0x", ", fsynr=0x", ", cbfrsynra=0x", ", cb=", "FSR    = 00000402 [TF], SID=0x1",
            "FSYNR0 = 00000000 []", "DMAR: [DMA Read", " NO_PASID", " PASID 0x", "] Request device [", "00:02.0",
            "xx:xx.x", "] fault addr ", "fault index ", " [fault", " reason ", "0x", "999", "h]", "] ",
            "PTE Read access", "DMAR:[fault reason 06]", "AMD-Vi: Event logged [", "IO_PAGE_FAULT ", "device=",
            "domain=0x", " address=0x", " flags=0x", "]", "*** gpu fault: ", "*** fault: ", "ttbr0=", "iova=",
            "dir=WRITE", " type=", " source=", "(0,0,0,0)", "flags=", "remoteproc remoteproc0: ",
            "crash detected in ", ": type ", "mmufault", "iommu fault: da 0x", " flags 0x", "IOMMU: dmar0: ",
            "Page request in Privilege Mode", "dmar0: Invalid page request: ", "Unexpected page request in Privilege Mode",
            "> ", "+# ", "[ 12.5] ", "kernel: ", "=", "=3D", "=20", "# ", "[pid:1]", "\u2028", "\"", "\\", "\u0000",
            "\ud800", "é");

    private final LogDecoder decoder = new LogDecoder();

    @Test
    void arbitraryTextNeverThrowsNorYieldsMoreFaultsThanLines() {
        Property.tries(400).check(s -> neverThrowsNorYieldsMoreFaultsThanLines(s.draw("lines", logs())));
    }

    @Test
    void realLogsCutShuffledOrRepeatedStillDecode() throws IOException {
        Gen<List<String>> damaged = damagedRealLogs();
        Property.tries(200).check(s -> neverThrowsNorYieldsMoreFaultsThanLines(s.draw("lines", damaged)));
    }

    private void neverThrowsNorYieldsMoreFaultsThanLines(List<String> lines) {
        DecodedLog log = decoder.decode(lines);
        long nonBlank = lines.stream().filter(l -> !l.isBlank()).count();
        assertThat((long) log.faults().size()).isLessThanOrEqualTo(nonBlank);
        assertThat(log.lines()).isEqualTo(lines.size());
        assertThat((long) log.ignoredLines()).isBetween(0L, nonBlank);
        for (DecodedFault f : log.faults()) {
            assertThat(f.line()).isBetween(1, lines.size());
            assertThat(Json.object(JsonLines.toJson(f))).containsEntry("format", f.format().key());
            f.convert();
        }
        FaultTable.render(log);
    }

    /** Lines of the real logs, whole or cut anywhere, in any order, repeated. */
    private static Gen<List<String>> damagedRealLogs() throws IOException {
        List<String> logs = RealFaultLogsTest.cases().map(a -> (String) ((Map<?, ?>) a.get()[1]).get("log")).toList();
        Gen<String> realLine = Gens.elements(logs).flatMap(log -> Gens.elements(log.split("\n", -1)));
        Gen<String> cut = realLine.flatMap(l -> Gens.integers(0, l.length()).map(n -> l.substring(0, n)));
        return Gens.<String>oneOf(realLine, realLine, cut).list(0, 16);
    }

    /** Lines of recognised fragments, random strings, hex and decimal numbers. */
    private static Gen<List<String>> logs() {
        Gen<String> fragment = Gens.oneOf(Gens.elements(FRAGMENTS), Gens.strings(12),
                Gens.longs().map(Long::toHexString), Gens.integers(0, 300).map(String::valueOf));
        Gen<String> line = fragment.list(0, 10).map(parts -> String.join("", parts));
        return line.list(0, 12);
    }
}
