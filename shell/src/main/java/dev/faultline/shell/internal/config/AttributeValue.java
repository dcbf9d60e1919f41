package dev.faultline.shell.internal.config;

import java.util.Arrays;
import org.osgi.service.metatype.AttributeDefinition;

/** Converts the text of a configuration value to the type a metatype attribute declares. */
final class AttributeValue {
    private AttributeValue() {
    }

    /**
     * The value of {@code text} for {@code attribute}: a single value, or an array of values split at commas
     * when the attribute has a cardinality other than 0.
     *
     * @throws IllegalArgumentException if a value does not parse as the attribute's type
     */
    static Object convert(AttributeDefinition attribute, String text) {
        if (attribute.getCardinality() == 0) {
            return one(attribute.getType(), text.strip());
        }
        String[] parts = text.isBlank() ? new String[0]
                : Arrays.stream(text.split(",")).map(String::strip).toArray(String[]::new);
        int max = Math.abs(attribute.getCardinality());
        if (max != Integer.MAX_VALUE && parts.length > max) {
            throw new IllegalArgumentException("at most " + max + " values allowed, got " + parts.length);
        }
        Object[] values = switch (attribute.getType()) {
            case AttributeDefinition.INTEGER -> new Integer[parts.length];
            case AttributeDefinition.LONG -> new Long[parts.length];
            case AttributeDefinition.BOOLEAN -> new Boolean[parts.length];
            case AttributeDefinition.DOUBLE -> new Double[parts.length];
            default -> new String[parts.length];
        };
        for (int i = 0; i < parts.length; i++) {
            values[i] = one(attribute.getType(), parts[i]);
        }
        return values;
    }

    private static Object one(int type, String text) {
        try {
            return switch (type) {
                case AttributeDefinition.INTEGER -> Integer.decode(text);
                case AttributeDefinition.LONG -> Long.decode(text);
                case AttributeDefinition.DOUBLE -> Double.valueOf(text);
                case AttributeDefinition.BOOLEAN -> parseBoolean(text);
                default -> text;
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a number", e);
        }
    }

    private static Boolean parseBoolean(String text) {
        if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
            return Boolean.valueOf(text);
        }
        throw new IllegalArgumentException("'" + text + "' is not true or false");
    }
}
