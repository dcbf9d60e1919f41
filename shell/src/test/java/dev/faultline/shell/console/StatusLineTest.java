package dev.faultline.shell.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StatusLineTest {
    private static final String ERASE = "\r\033[K";
    /** One stream for both, as a terminal shows standard output and error. */
    private final ByteArrayOutputStream screen = new ByteArrayOutputStream();
    private final PrintStream tty = new PrintStream(screen, true, StandardCharsets.UTF_8);

    @Test
    void onATerminalALogLineIsPrintedAboveTheStatusWhichIsShownAgainAfterIt() {
        StatusLine console = new StatusLine(tty, tty, true);

        console.show("[3/6] usNIC");
        console.log("ERROR dev.faultline.intel-vtd: DMAR: fault");
        console.show("[4/6] remoteproc");
        console.clear();

        assertThat(shown()).isEqualTo(ERASE + "[3/6] usNIC" + ERASE + "ERROR dev.faultline.intel-vtd: DMAR: fault"
                + System.lineSeparator() + "[3/6] usNIC" + ERASE + "[4/6] remoteproc" + ERASE);
    }

    @Test
    void onATerminalWithoutAStatusLogLinesArePrintedAsTheyCome() {
        StatusLine console = new StatusLine(tty, tty, true);

        console.log("WARN core: one");
        console.show("[1/6] paging");
        console.clear();
        console.log("WARN core: two");

        assertThat(shown()).isEqualTo("WARN core: one" + System.lineSeparator() + ERASE + "[1/6] paging" + ERASE
                + "WARN core: two" + System.lineSeparator());
    }

    @Test
    void elsewhereEachStatusIsALineOfItsOwnAndNothingIsErased() {
        StatusLine console = new StatusLine(tty, tty, false);

        console.show("[1/6] paging");
        console.log("WARN core: one");
        console.show("[2/6] deferred");
        console.clear();

        assertThat(shown()).isEqualTo("[1/6] paging" + System.lineSeparator() + "WARN core: one"
                + System.lineSeparator() + "[2/6] deferred" + System.lineSeparator()).doesNotContain("\033");
    }

    private String shown() {
        return screen.toString(StandardCharsets.UTF_8);
    }
}
