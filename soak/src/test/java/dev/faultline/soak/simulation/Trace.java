package dev.faultline.soak.simulation;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.HexFormat;

/**
 * The event trace of one run: every line is hashed (SHA-256), the last {@value #TAIL} are kept for a failure
 * report, and the whole text is kept only when asked for (the determinism test compares it byte for byte).
 */
final class Trace {
    private static final int TAIL = 40;

    private final MessageDigest digest;
    private final ArrayDeque<String> tail = new ArrayDeque<>(TAIL);
    private final StringBuilder text;
    private long lines;

    Trace(boolean keepText) {
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
        text = keepText ? new StringBuilder() : null;
    }

    void add(String line) {
        add(line, true);
    }

    /** Adds a line; {@code inTail} false keeps a routine line (a watchdog tick) out of the failure report's tail. */
    void add(String line, boolean inTail) {
        digest.update(line.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) '\n');
        lines++;
        if (inTail) {
            if (tail.size() == TAIL) {
                tail.removeFirst();
            }
            tail.addLast(line);
        }
        if (text != null) {
            text.append(line).append('\n');
        }
    }

    long lines() {
        return lines;
    }

    /** The hash of every line so far (the trace is finished by this call). */
    String sha256() {
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The last lines, oldest first. */
    String tail() {
        return String.join("\n", tail);
    }

    /** The whole trace, or null if it was not kept. */
    String text() {
        return text == null ? null : text.toString();
    }
}
