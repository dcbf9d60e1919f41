package dev.faultline.smmuv3.internal;

/**
 * The driver's settings (Config Admin PID {@code dev.faultline.smmuv3}).
 *
 * @param eventQueueLog2 requested event queue size, log2 (capped by IDR1.EVTQS)
 * @param priQueueLog2 requested PRI queue size, log2 (capped by IDR1.PRIQS)
 * @param commandQueueLog2 requested command queue size, log2 (capped by IDR1.CMDQS)
 * @param printBurst event lines printed per interval (Linux {@code DEFAULT_RATELIMIT_BURST})
 * @param printIntervalMillis the print rate-limit interval (Linux {@code DEFAULT_RATELIMIT_INTERVAL}); 0 disables
 * @param recordInvalidStreamIds CR2.RECINVSID: record C_BAD_STREAMID
 * @param syncTimeoutMillis how long a CMD_SYNC may take before it is reported as timed out
 */
public record DriverSettings(int eventQueueLog2, int priQueueLog2, int commandQueueLog2, int printBurst,
        long printIntervalMillis, boolean recordInvalidStreamIds, long syncTimeoutMillis) {

    /** Linux's choices: queues of 2^8, 10 lines per 5 s, RECINVSID set, 1 s CMD_SYNC timeout. */
    public static DriverSettings defaults() {
        return new DriverSettings(8, 8, 8, 10, 5000, true, 1000);
    }

    /**
     * Validates the settings.
     *
     * @throws IllegalArgumentException for a value outside its range
     */
    public DriverSettings {
        if (eventQueueLog2 < 0 || eventQueueLog2 > 19 || priQueueLog2 < 0 || priQueueLog2 > 19
                || commandQueueLog2 < 1 || commandQueueLog2 > 19) {
            throw new IllegalArgumentException("queue sizes (log2) must be in [0, 19] (command queue [1, 19])");
        }
        if (printBurst < 0 || printIntervalMillis < 0 || syncTimeoutMillis <= 0) {
            throw new IllegalArgumentException("print burst and interval must not be negative, sync timeout positive");
        }
    }
}
