package dev.faultline.console.internal.web;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** A minimal JSON writer for the console's live data: objects of numbers, booleans and strings. */
final class Json {
    private final StringBuilder out = new StringBuilder(512);
    private boolean first = true;

    Json open(String name) {
        key(name);
        out.append('{');
        first = true;
        return this;
    }

    Json open() {
        out.append('{');
        first = true;
        return this;
    }

    Json close() {
        out.append('}');
        first = false;
        return this;
    }

    Json number(String name, long value) {
        key(name);
        out.append(value);
        return this;
    }

    /** A finite decimal number, with at most three decimal places. */
    Json decimal(String name, double value) {
        key(name);
        out.append(BigDecimal.valueOf(value).setScale(3, RoundingMode.HALF_UP).stripTrailingZeros()
                .toPlainString());
        return this;
    }

    Json bool(String name, boolean value) {
        key(name);
        out.append(value);
        return this;
    }

    Json string(String name, String value) {
        key(name);
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        out.append('"');
        return this;
    }

    private void key(String name) {
        if (!first) {
            out.append(',');
        }
        first = false;
        string0(name);
        out.append(':');
    }

    private void string0(String name) {
        out.append('"').append(name).append('"');
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
