package dev.faultline.faultlog;

import dev.faultline.api.fault.HardwareRecord;
import java.util.EnumMap;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Collects the fields of one report while its lines are parsed; not thread-safe. */
final class FaultBuilder {
    private final EnumMap<FaultField, @Nullable Object> fields = new EnumMap<>(FaultField.class);

    FaultBuilder text(FaultField field, String value) {
        fields.put(field, value);
        return this;
    }

    FaultBuilder number(FaultField field, long value) {
        fields.put(field, value);
        return this;
    }

    FaultBuilder flag(FaultField field, boolean value) {
        fields.put(field, value);
        return this;
    }

    FaultBuilder names(FaultField field, List<String> value) {
        fields.put(field, List.copyOf(value));
        return this;
    }

    /** Asserts that {@code field} has no value. */
    FaultBuilder none(FaultField field) {
        fields.put(field, null);
        return this;
    }

    /** Sets the access direction: exactly one of read and write. */
    FaultBuilder direction(boolean write) {
        fields.put(FaultField.READ, !write);
        fields.put(FaultField.WRITE, write);
        return this;
    }

    boolean has(FaultField field) {
        return fields.containsKey(field);
    }

    Object get(FaultField field) {
        return fields.get(field);
    }

    /** Copies every field of {@code other} this builder does not have yet. */
    FaultBuilder fillFrom(FaultBuilder other) {
        other.fields.forEach(fields::putIfAbsent);
        return this;
    }

    DecodedFault build(FaultFormat format, int line, HardwareRecord record) {
        return new DecodedFault(format, line, fields, record);
    }
}
