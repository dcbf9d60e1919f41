package dev.faultline.core.shell;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A shell command's arguments, read against its usage line. The usage line declares, in order, flags
 * ({@code [--json]}), required values ({@code <device>}) and optional values ({@code [<pasid>]}); the same text
 * is the command's {@code @Descriptor}, so {@code help} and the error messages show what the parser reads.
 * Values are taken in declaration order; flags may come anywhere.
 *
 * <p>Numbers are hex with {@code 0x} or decimal, everywhere ({@link #number(String)}): never octal, never
 * negative.
 */
public final class CommandArguments {
    private static final String HEX_DIGITS = "0123456789abcdefABCDEF";

    private final String usage;
    private final Set<String> flags;
    private final Map<String, String> values;

    private CommandArguments(String usage, Set<String> flags, Map<String, String> values) {
        this.usage = usage;
        this.flags = flags;
        this.values = values;
    }

    /**
     * Reads {@code args} of {@code command} against its {@code usage} line.
     *
     * @param command the command as typed, e.g. {@code faultline:dma}
     * @param usage what follows the command in its usage line, e.g. {@code [--json] <device> <address> [<pasid>]}
     * @throws UsageException if an option is unknown, a required value is missing or a value is left over
     */
    public static CommandArguments parse(String command, String usage, String... args) {
        String full = usage.isEmpty() ? command : command + " " + usage;
        Set<String> declaredFlags = new HashSet<>();
        List<String> required = new ArrayList<>();
        List<String> optional = new ArrayList<>();
        for (String token : usage.split(" +")) {
            if (token.startsWith("[--") && token.endsWith("]")) {
                declaredFlags.add(token.substring(1, token.length() - 1));
            } else if (token.startsWith("[<") && token.endsWith(">]")) {
                optional.add(token.substring(2, token.length() - 2));
            } else if (token.startsWith("<") && token.endsWith(">")) {
                if (!optional.isEmpty()) {
                    throw new IllegalArgumentException("usage '" + usage + "': a required value after an optional one");
                }
                required.add(token.substring(1, token.length() - 1));
            } else if (!token.isEmpty()) {
                throw new IllegalArgumentException("usage '" + usage + "': cannot read '" + token + "'");
            }
        }
        Set<String> flags = new HashSet<>();
        List<String> positional = new ArrayList<>();
        for (String arg : args) {
            if (arg.startsWith("--")) {
                if (!declaredFlags.contains(arg)) {
                    throw new UsageException("unknown option " + arg, full);
                }
                flags.add(arg);
            } else {
                positional.add(arg);
            }
        }
        if (positional.size() < required.size()) {
            throw new UsageException("missing <" + required.get(positional.size()) + ">", full);
        }
        if (positional.size() > required.size() + optional.size()) {
            throw new UsageException("too many arguments: " + String.join(" ", positional), full);
        }
        Map<String, String> values = new LinkedHashMap<>();
        List<String> names = new ArrayList<>(required);
        names.addAll(optional);
        for (int i = 0; i < positional.size(); i++) {
            values.put(names.get(i), positional.get(i));
        }
        return new CommandArguments(full, Set.copyOf(flags), values);
    }

    /** Whether {@code flag} (e.g. {@code --json}) was given. */
    public boolean has(String flag) {
        return flags.contains(flag);
    }

    /** Whether {@code --json} was given: the command prints JSON instead of a table. */
    public boolean json() {
        return has("--json");
    }

    /**
     * The value of a required argument, or of an optional one that was given.
     *
     * @throws UsageException if an optional value was not given
     */
    public String text(String name) {
        String value = values.get(name);
        if (value == null) {
            throw error("missing <" + name + ">");
        }
        return value;
    }

    /** The value of an optional argument, if it was given. */
    public Optional<String> optional(String name) {
        return Optional.ofNullable(values.get(name));
    }

    /**
     * The value of argument {@code name} as a number: {@code 0x} hex or decimal.
     *
     * @throws UsageException if it is missing or not a number
     */
    public long number(String name) {
        return number(name, 0, Long.MAX_VALUE);
    }

    /**
     * The value of argument {@code name} as a number from {@code min} to {@code max}.
     *
     * @throws UsageException if it is missing, not a number or out of range
     */
    public long number(String name, long min, long max) {
        String text = text(name);
        long value = parseNumber(text).orElseThrow(() -> error("<" + name + "> is a number, 0x<hex> or decimal, not '"
                + text + "'"));
        if (value < min || value > max) {
            throw error(String.format(Locale.ROOT, "<%s> is from 0x%x to 0x%x, not %s", name, min, max, text));
        }
        return value;
    }

    /** The value of an optional numeric argument from {@code min} to {@code max}, if it was given. */
    public OptionalLong optionalNumber(String name, long min, long max) {
        return values.containsKey(name) ? OptionalLong.of(number(name, min, max)) : OptionalLong.empty();
    }

    /** A usage error of this command: {@code reason}, then the usage line. */
    public UsageException error(String reason) {
        return new UsageException(reason, usage);
    }

    /**
     * Reads {@code 0x<hex>} (any case) or decimal digits; anything else, a sign, an empty text or a value above
     * 64 bits (unsigned, for hex) is no number.
     */
    public static OptionalLong parseNumber(String text) {
        try {
            if (text.length() > 2 && (text.startsWith("0x") || text.startsWith("0X"))) {
                String hex = text.substring(2);
                return hex.chars().allMatch(c -> HEX_DIGITS.indexOf(c) >= 0)
                        ? OptionalLong.of(Long.parseUnsignedLong(hex, 16)) : OptionalLong.empty();
            }
            return !text.isEmpty() && text.chars().allMatch(c -> c >= '0' && c <= '9')
                    ? OptionalLong.of(Long.parseLong(text)) : OptionalLong.empty();
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** The command's whole usage line, e.g. {@code faultline:stats [--json] [<device>]}. */
    public String usage() {
        return usage;
    }
}
