package dev.faultline.launcher;

/** Start-up or task failure, with the one message the user sees. */
public final class LaunchException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int exitStatus;

    /**
     * @param exitStatus the process exit status to report
     * @param message one line saying what failed and, where known, why
     */
    public LaunchException(int exitStatus, String message) {
        super(message);
        this.exitStatus = exitStatus;
    }

    /**
     * @param exitStatus the process exit status to report
     * @param message one line saying what failed
     * @param cause the underlying error (its message is appended)
     */
    public LaunchException(int exitStatus, String message, Throwable cause) {
        super(message + ": " + describe(cause), cause);
        this.exitStatus = exitStatus;
    }

    /** The process exit status. */
    public int exitStatus() {
        return exitStatus;
    }

    private static String describe(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message == null || message.isBlank() ? root.getClass().getSimpleName() : message;
    }
}
