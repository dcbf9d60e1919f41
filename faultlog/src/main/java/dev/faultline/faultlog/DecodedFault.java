package dev.faultline.faultlog;

import dev.faultline.api.fault.Fault;
import dev.faultline.api.fault.HardwareRecord;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * One fault report decoded from a kernel log: its format, the line it starts on and the fields the log
 * determines.
 *
 * <p><b>Absent versus null.</b> A field missing from {@link #fields()} is not determinable from the log.
 * A field present with a {@code null} value asserts "none" (for example {@link FaultField#PASID}
 * {@code null}: the kernel printed {@code NO_PASID}). Use {@link #determined} and {@link #assertedNone}
 * to tell them apart.
 *
 * @param format the report format
 * @param line the 1-based input line the report is anchored at (its first line; for a remoteproc crash
 *     the {@code crash detected} line)
 * @param fields the determined fields, each value of its {@link FaultField#kind() kind} or {@code null};
 *     copied, iteration in {@link FaultField} order
 * @param record the raw hardware record the log printed in full (SMMUv3 event dwords, VT-d page request
 *     qwords), or {@link HardwareRecord#NONE}
 */
public record DecodedFault(FaultFormat format, int line, Map<FaultField, @Nullable Object> fields,
        HardwareRecord record) {

    /**
     * Validates and copies the fields.
     *
     * @throws IllegalArgumentException if a value does not match its field's kind, or {@code line} &lt; 1
     * @throws NullPointerException for a missing format, field map or record
     */
    public DecodedFault {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(record, "record (use HardwareRecord.NONE)");
        if (line < 1) {
            throw new IllegalArgumentException("line " + line + " is not a 1-based line number");
        }
        EnumMap<FaultField, @Nullable Object> copy = new EnumMap<>(FaultField.class);
        for (Map.Entry<FaultField, @Nullable Object> e : fields.entrySet()) {
            FaultField field = Objects.requireNonNull(e.getKey(), "field");
            Object value = e.getValue();
            if (value != null && !field.accepts(value)) {
                throw new IllegalArgumentException("field " + field.key() + " is " + field.kind()
                        + ", not " + value.getClass().getSimpleName() + " " + value);
            }
            copy.put(field, value instanceof List<?> list ? List.copyOf(list) : value);
        }
        fields = Collections.unmodifiableMap(copy);
    }

    /** Whether the log determines {@code field} (its value may still be an asserted {@code null}). */
    public boolean determined(FaultField field) {
        return fields.containsKey(field);
    }

    /** Whether the log asserts that {@code field} has no value (present with {@code null}). */
    public boolean assertedNone(FaultField field) {
        return fields.containsKey(field) && fields.get(field) == null;
    }

    /**
     * A numeric field's value, empty when absent or asserted none.
     *
     * @throws IllegalArgumentException if {@code field} is not {@link FaultField.Kind#INTEGER} or
     *     {@link FaultField.Kind#HEX}
     */
    public OptionalLong number(FaultField field) {
        requireKind(field, FaultField.Kind.INTEGER, FaultField.Kind.HEX);
        Object v = fields.get(field);
        return v == null ? OptionalLong.empty() : OptionalLong.of((Long) v);
    }

    /**
     * A text field's value, empty when absent or asserted none.
     *
     * @throws IllegalArgumentException if {@code field} is not {@link FaultField.Kind#TEXT}
     */
    public Optional<String> text(FaultField field) {
        requireKind(field, FaultField.Kind.TEXT);
        return Optional.ofNullable((String) fields.get(field));
    }

    /**
     * A boolean field's value, empty when absent.
     *
     * @throws IllegalArgumentException if {@code field} is not {@link FaultField.Kind#BOOLEAN}
     */
    public Optional<Boolean> flag(FaultField field) {
        requireKind(field, FaultField.Kind.BOOLEAN);
        return Optional.ofNullable((Boolean) fields.get(field));
    }

    /** Whether a boolean field is determined and true. */
    public boolean isTrue(FaultField field) {
        return flag(field).orElse(false);
    }

    /**
     * A name-list field's value; empty when absent.
     *
     * @throws IllegalArgumentException if {@code field} is not {@link FaultField.Kind#NAMES}
     */
    @SuppressWarnings("unchecked")
    public List<String> names(FaultField field) {
        requireKind(field, FaultField.Kind.NAMES);
        Object v = fields.get(field);
        return v == null ? List.of() : (List<String>) v;
    }

    /** This report in Faultline's fault model, or why the log does not determine enough for one. */
    public FaultConversion convert() {
        return FaultModelMapping.convert(this);
    }

    /** This report in Faultline's fault model, if the log determines enough (see {@link #convert()}). */
    public Optional<Fault> toFault() {
        return convert().fault();
    }

    private static void requireKind(FaultField field, FaultField.Kind... kinds) {
        for (FaultField.Kind k : kinds) {
            if (field.kind() == k) {
                return;
            }
        }
        throw new IllegalArgumentException("field " + field.key() + " is " + field.kind() + ", not "
                + java.util.Arrays.toString(kinds));
    }
}
