package dev.faultline.faultlog;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes what mail, chat, forums, diffs, CI logs, dmesg, the journal, syslog and vendor kernels put in front of
 * a kernel message, so that parsers see the text as {@code printk} wrote it: quote markers of any depth
 * ({@code > > }, {@code >>}, {@code | }), chat nicks and times ({@code [08:56] <dev7> }), timestamps and levels.
 */
final class LinePrefixes {

    /** One prefix at the start of the (stripped) line; removed repeatedly, in any order. */
    private static final Pattern PREFIX = Pattern.compile("(?:"
            + ">+" // mail quoting, "> > " and ">>>>"
            + "|\\|(?=\\s|$)" // "| " quoting (forums, some mail clients, chat)
            + "|<[A-Za-z_][\\w.@-]{0,31}>(?=\\s)" // chat nick "<dev7> "
            + "|\\[\\d{1,2}:\\d{2}(?::\\d{2})?\\](?=\\s)" // chat time "[08:56] "
            + "|\\+#|\\+(?=[\\s\\[])|-(?=\\[)" // diff lines, "+# " CI expectation comments
            + "|#(?=\\s)" // CI comment marker
            + "|<\\d>" // printk level
            + "|\\[\\s*\\d+\\.\\d+\\]" // dmesg timestamp
            + "|\\[\\s*[TC]\\d+\\]" // CONFIG_PRINTK_CALLER id
            + "|\\[(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} +\\d{1,2} \\d{2}:\\d{2}:\\d{2} \\d{4}\\]" // dmesg -T
            + "|\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}:\\d{2}(?:[.,]\\d+)?(?:Z|[+-]\\d{2}:?\\d{2})?(?: \\S+ kernel:)?"
            + "|[A-Z][a-z]{2} +\\d{1,2} \\d{2}:\\d{2}:\\d{2} \\S+ kernel:" // syslog
            + "|kernel:" // journal export
            + "|0x[0-9A-Fa-f]{4,16} \\|\\s+\\d+\\.\\d+:" // log viewer export "0x000000000277BBFA |   1263.468579:"
            + "|\\[pid:[^\\]]*\\]" // vendor caller prefix glued to the device name
            + ")");

    /** A shell prompt in front of console output: {@code / # }, {@code root@host:~# }, {@code $ }. */
    private static final Pattern PROMPT = Pattern.compile("[\\w.@:~/-]*\\s?[#$]\\s+");

    private static final int MAX_PREFIXES = 16;

    private LinePrefixes() {
    }

    /** {@code line} without its prefixes and surrounding white space. */
    static String strip(String line) {
        String s = line.strip();
        boolean promptAllowed = true;
        for (int i = 0; i < MAX_PREFIXES; i++) {
            Matcher m = PREFIX.matcher(s);
            if (m.lookingAt() && m.end() > 0) {
                promptAllowed &= s.charAt(0) == '>';
                s = s.substring(m.end()).strip();
                continue;
            }
            if (promptAllowed) {
                promptAllowed = false;
                Matcher p = PROMPT.matcher(s);
                if (p.lookingAt()) {
                    s = s.substring(p.end()).strip();
                    continue;
                }
            }
            break;
        }
        return s;
    }
}
