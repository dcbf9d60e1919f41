package dev.faultline.core.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class CommandArgumentsTest {
    private static final String DMA = "[--json] <device> <r|w|x> <address> [<pasid>]";

    @Test
    void valuesAreTakenInOrderAndFlagsAnywhere() {
        CommandArguments args = CommandArguments.parse("faultline:dma", DMA, "0000:05:00.2", "--json", "w", "0x1000");

        assertThat(args.json()).isTrue();
        assertThat(args.text("device")).isEqualTo("0000:05:00.2");
        assertThat(args.text("r|w|x")).isEqualTo("w");
        assertThat(args.number("address")).isEqualTo(0x1000);
        assertThat(args.optional("pasid")).isEmpty();
        assertThat(args.optionalNumber("pasid", 0, 0xfffff)).isEmpty();
    }

    @Test
    void numbersAreHexOrDecimalNeverOctalOrSigned() {
        assertThat(CommandArguments.parseNumber("0x1F")).hasValue(31);
        assertThat(CommandArguments.parseNumber("0XfF")).hasValue(255);
        assertThat(CommandArguments.parseNumber("010")).hasValue(10);
        assertThat(CommandArguments.parseNumber("0xffffffffffffffff")).hasValue(-1);
        for (String bad : new String[] {"", "0x", "-1", "+1", "1e3", "0xg", "12a", "0x1_000", "#10", "99999999999999999999",
            "0x10000000000000000"}) {
            assertThat(CommandArguments.parseNumber(bad)).as(bad).isEqualTo(OptionalLong.empty());
        }
    }

    @Test
    void aNumberOutOfRangeOrNotANumberNamesTheArgumentAndTheUsage() {
        assertThatThrownBy(() -> CommandArguments.parse("faultline:dma", DMA, "d", "r", "0x1000", "0x100000")
                .optionalNumber("pasid", 0, 0xfffff))
                .isInstanceOf(UsageException.class)
                .hasMessage("<pasid> is from 0x0 to 0xfffff, not 0x100000\nusage: faultline:dma " + DMA);
        assertThatThrownBy(() -> CommandArguments.parse("faultline:dma", DMA, "d", "r", "0xnothex").number("address"))
                .hasMessage("<address> is a number, 0x<hex> or decimal, not '0xnothex'\nusage: faultline:dma " + DMA);
    }

    @Test
    void missingExtraAndUnknownArgumentsAreUsageErrors() {
        assertThatThrownBy(() -> CommandArguments.parse("faultline:dma", DMA, "d", "r"))
                .isInstanceOf(UsageException.class).hasMessage("missing <address>\nusage: faultline:dma " + DMA);
        assertThatThrownBy(() -> CommandArguments.parse("faultline:dma", DMA, "d", "r", "1", "2", "3"))
                .hasMessageStartingWith("too many arguments: d r 1 2 3\n");
        assertThatThrownBy(() -> CommandArguments.parse("faultline:stats", "[--json]", "--all"))
                .hasMessage("unknown option --all\nusage: faultline:stats [--json]");
        assertThatThrownBy(() -> CommandArguments.parse("faultline:iommus", "", "x"))
                .hasMessage("too many arguments: x\nusage: faultline:iommus");
    }

    @Test
    void anOptionalValueNotGivenIsAUsageErrorWhenAskedForAsRequired() {
        CommandArguments args = CommandArguments.parse("faultline:stats", "[--json] [--all] [<device>]", "--all");

        assertThat(args.has("--all")).isTrue();
        assertThat(args.json()).isFalse();
        assertThatThrownBy(() -> args.text("device")).hasMessageStartingWith("missing <device>\n");
    }

    @Test
    void aMalformedUsageLineIsTheCommandsBugNotAUsageError() {
        assertThatThrownBy(() -> CommandArguments.parse("c", "[<a>] <b>"))
                .isNotInstanceOf(UsageException.class).hasMessageContaining("required value after an optional");
        assertThatThrownBy(() -> CommandArguments.parse("c", "a"))
                .isNotInstanceOf(UsageException.class).hasMessageContaining("cannot read 'a'");
    }
}
