package dev.faultline.core.shell;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Rows of cells under headers, as a shell command answers: aligned columns for people ({@link #text()}), JSON
 * for scripts ({@link #json()}). A cell is a number (right-aligned; a JSON number), a boolean, a collection (its
 * elements joined by {@code ", "}; a JSON array), {@code null} (empty; JSON {@code null}) or anything else
 * through {@code toString()} (a JSON string). Several tables print together with {@link #render}.
 *
 * <p>Not thread-safe: one command builds one table and prints it.
 */
public final class Table {
    private static final String GAP = "  ";

    private final String title;
    private final List<String> headers;
    private final List<List<Object>> rows = new ArrayList<>();

    private Table(String title, List<String> headers) {
        this.title = title;
        this.headers = headers;
    }

    /** An empty table with these column headers (also the JSON keys). */
    public static Table of(String... headers) {
        if (headers.length == 0) {
            throw new IllegalArgumentException("a table needs at least one column");
        }
        return new Table("", List.of(headers));
    }

    /**
     * A table of records of one type: a first column {@code key} with each map key, then a column per record
     * component (named as the component), in declaration order.
     *
     * @throws IllegalArgumentException if {@code type} has no component
     */
    public static <R extends Record> Table ofRecords(String key, Class<R> type, Map<String, ? extends R> records) {
        RecordComponent[] components = type.getRecordComponents();
        if (components.length == 0) {
            throw new IllegalArgumentException(type.getSimpleName() + " has no component");
        }
        List<String> headers = new ArrayList<>(List.of(key));
        for (RecordComponent component : components) {
            headers.add(component.getName());
        }
        Table table = new Table("", List.copyOf(headers));
        records.forEach((name, record) -> {
            List<Object> cells = new ArrayList<>(List.of(name));
            for (RecordComponent component : components) {
                try {
                    cells.add(component.getAccessor().invoke(record));
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("cannot read " + type.getSimpleName() + "." + component.getName(),
                            e);
                }
            }
            table.row(cells.toArray());
        });
        return table;
    }

    /**
     * This table turned on its side, for rows with many columns: the first column holds the other headers, and
     * each row becomes a column headed by its first cell. The title stays.
     *
     * @param header the first column's header, e.g. {@code counter}
     */
    public Table transposed(String header) {
        List<String> columns = new ArrayList<>(List.of(header));
        rows.forEach(row -> columns.add(text(row.get(0))));
        Table table = new Table(title, List.copyOf(columns));
        for (int c = 1; c < headers.size(); c++) {
            List<Object> cells = new ArrayList<>(List.of(headers.get(c)));
            for (List<Object> row : rows) {
                cells.add(row.get(c));
            }
            table.row(cells.toArray());
        }
        return table;
    }

    /**
     * This table under a title: the line above its headers in the text, its key when several tables print
     * as one JSON object.
     */
    public Table titled(String newTitle) {
        Table copy = new Table(Objects.requireNonNull(newTitle), headers);
        copy.rows.addAll(rows);
        return copy;
    }

    /**
     * Adds a row.
     *
     * @param cells one per header, in order; a {@code null} cell prints empty (JSON {@code null})
     * @return this table
     * @throws IllegalArgumentException if the number of cells is not the number of headers
     */
    public Table row(@Nullable Object... cells) {
        if (cells.length != headers.size()) {
            throw new IllegalArgumentException("a row of " + cells.length + " cells in a table of " + headers.size()
                    + " columns " + headers);
        }
        rows.add(Arrays.asList(cells.clone()));
        return this;
    }

    /** The number of rows. */
    public int size() {
        return rows.size();
    }

    /** The title, empty if none. */
    public String title() {
        return title;
    }

    /**
     * The table as aligned columns: the title (if any), the headers, then a line per row; {@code (none)} under
     * the headers when there is no row. Lines end with a newline, trailing spaces trimmed.
     */
    public String text() {
        int[] widths = new int[headers.size()];
        List<List<String>> cells = new ArrayList<>();
        for (List<Object> row : rows) {
            List<String> line = new ArrayList<>();
            for (Object cell : row) {
                line.add(text(cell));
            }
            cells.add(line);
        }
        for (int c = 0; c < widths.length; c++) {
            widths[c] = headers.get(c).length();
            for (List<String> line : cells) {
                widths[c] = Math.max(widths[c], line.get(c).length());
            }
        }
        StringBuilder out = new StringBuilder();
        if (!title.isEmpty()) {
            out.append(title).append(':').append("\n");
        }
        line(out, headers, widths, new boolean[widths.length]);
        boolean[] right = new boolean[widths.length];
        for (int c = 0; c < right.length; c++) {
            right[c] = !rows.isEmpty();
            for (List<Object> row : rows) {
                right[c] &= row.get(c) instanceof Number;
            }
        }
        for (List<String> line : cells) {
            line(out, line, widths, right);
        }
        if (rows.isEmpty()) {
            out.append("(none)").append("\n");
        }
        return out.toString();
    }

    private static void line(StringBuilder out, List<String> cells, int[] widths, boolean[] right) {
        StringBuilder line = new StringBuilder();
        for (int c = 0; c < widths.length; c++) {
            if (c > 0) {
                line.append(GAP);
            }
            String cell = cells.get(c);
            String pad = " ".repeat(widths[c] - cell.length());
            line.append(right[c] ? pad + cell : cell + pad);
        }
        int end = line.length();
        while (end > 0 && line.charAt(end - 1) == ' ') {
            end--;
        }
        out.append(line, 0, end).append("\n");
    }

    private static String text(@Nullable Object cell) {
        if (cell == null) {
            return "";
        }
        if (cell instanceof Collection<?> list) {
            List<String> parts = new ArrayList<>();
            list.forEach(e -> parts.add(text(e)));
            return String.join(", ", parts);
        }
        return cell.toString().replace('\n', ' ');
    }

    /** The table as a JSON array with one object per row, keyed by the headers. */
    public String json() {
        StringBuilder out = new StringBuilder("[");
        for (int r = 0; r < rows.size(); r++) {
            out.append(r == 0 ? "" : ",").append("\n").append("  {");
            List<Object> row = rows.get(r);
            for (int c = 0; c < headers.size(); c++) {
                out.append(c == 0 ? "" : ", ");
                string(out, headers.get(c));
                out.append(": ");
                value(out, row.get(c));
            }
            out.append('}');
        }
        return out.append(rows.isEmpty() ? "]" : "\n" + "]").toString();
    }

    /**
     * Several tables as one answer: their texts one after the other, a blank line between; or, for
     * {@code json}, one JSON object with each table's array under its title (a single table: its array).
     *
     * @throws IllegalArgumentException for JSON of several tables when one has no title or two share one
     */
    public static String render(boolean json, Table... tables) {
        if (!json) {
            List<String> texts = new ArrayList<>();
            for (Table table : tables) {
                texts.add(table.text());
            }
            return String.join("\n", texts);
        }
        if (tables.length == 1) {
            return tables[0].json();
        }
        StringBuilder out = new StringBuilder("{");
        List<String> titles = new ArrayList<>();
        for (Table table : tables) {
            if (table.title.isEmpty() || titles.contains(table.title)) {
                throw new IllegalArgumentException("tables printed as one JSON object need distinct titles");
            }
            titles.add(table.title);
            out.append(titles.size() == 1 ? "" : ",").append("\n");
            string(out, table.title);
            out.append(": ").append(table.json());
        }
        return out.append("\n").append('}').toString();
    }

    private static void value(StringBuilder out, @Nullable Object value) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof Number || value instanceof Boolean) {
            if (value instanceof Double d && !Double.isFinite(d) || value instanceof Float f && !Float.isFinite(f)) {
                out.append("null");
            } else {
                out.append(value);
            }
        } else if (value instanceof Collection<?> list) {
            out.append('[');
            boolean first = true;
            for (Object e : list) {
                out.append(first ? "" : ", ");
                value(out, e);
                first = false;
            }
            out.append(']');
        } else if (value instanceof Map<?, ?>) {
            throw new IllegalArgumentException("a table cell holds no map: make it rows");
        } else {
            string(out, value.toString());
        }
    }

    private static void string(StringBuilder out, String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
