package dev.faultline.core.shell;

/**
 * A shell command was given wrong or missing arguments. The message says what was wrong and, on its second
 * line, the command's usage: Gogo prints it as the command's answer.
 */
public final class UsageException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /**
     * @param reason what was wrong, e.g. {@code 'q' is not an access}
     * @param usage the command's usage line, e.g. {@code faultline:dma <device> <r|w|x> <address>}
     */
    public UsageException(String reason, String usage) {
        super(reason + "\n" + "usage: " + usage);
    }
}
