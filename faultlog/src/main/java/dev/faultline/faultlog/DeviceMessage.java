package dev.faultline.faultlog;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A {@code dev_printk} line split into its parts: {@code <driver> <device>: <message>} (Linux dev_printk).
 *
 * @param driver the driver name, e.g. {@code arm-smmu-v3}
 * @param device the device name, e.g. {@code arm-smmu-v3.0.auto}
 * @param message the text after the colon, stripped
 */
record DeviceMessage(String driver, String device, String message) {
    /**
     * A driver or device name: no white space, no control character, no Unicode separator (Linux prints them from
     * {@code dev_driver_string} and {@code dev_name}; a name with such a character is not one, whatever a regex's
     * {@code \S} would take).
     */
    private static final String NAME = "[^\\s\\p{Cc}\\p{Z}]";
    private static final Pattern FORM = Pattern.compile("(" + NAME + "+) (" + NAME + "+?):(?:\\s+(.*))?");

    /** The parts of {@code text}, or {@code null} if it is not of that form. */
    static @Nullable DeviceMessage parse(String text) {
        Matcher m = FORM.matcher(text);
        if (!m.matches()) {
            return null;
        }
        String message = m.group(3);
        return new DeviceMessage(m.group(1), m.group(2), message == null ? "" : message.strip());
    }
}
