package dev.faultline.drivers.remoteproc;

import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A remote processor (DSP, modem, sensor hub) booted by the host with firmware, behind its own IOMMU domain:
 * Linux's {@code struct rproc} as a service. Its IOMMU faults reach a
 * {@link dev.faultline.api.handler.FaultHandler} registered by this bundle, which reports a crash of type
 * {@link CrashType#MMUFAULT} and answers {@code INVALID}; recovery then runs off the fault path.
 *
 * <p>Thread-safe. {@link #reportCrash} never blocks; the other operations may wait for a recovery in progress.
 *
 * @since 1.0
 */
@ProviderType
public interface RemoteProcessor {

    /** Its name ({@code rproc->name}). */
    String name();

    /** A snapshot of its state and counters. */
    RprocStatus status();

    /** Shorthand for {@code status().state()}. */
    default RprocState state() {
        return status().state();
    }

    /** The coredump of the last recovery, if one was taken. */
    Optional<Coredump> lastCoredump();

    /**
     * Reads the 64-bit word the processor sees at device address {@code da}, through the host's own mapping
     * of the carveouts ({@code rproc_da_to_va}): shared memory, mailboxes, firmware data.
     *
     * @throws IllegalArgumentException if {@code da} is in no carveout
     */
    long readWord(long da);

    /**
     * Writes the 64-bit word the processor will see at device address {@code da}, through the host's mapping.
     *
     * @throws IllegalArgumentException if {@code da} is in no carveout
     */
    void writeWord(long da, long value);

    /**
     * Loads the firmware and starts the processor ({@code rproc_boot}). Resets the crash-loop history.
     *
     * @throws IllegalStateException if it is not {@link RprocState#OFFLINE}, or the firmware cannot be loaded
     */
    void boot();

    /** Stops the processor and leaves it {@link RprocState#OFFLINE} ({@code rproc_shutdown}). Idempotent. */
    void shutdown();

    /**
     * Reports a crash ({@code rproc_report_crash}): callable from any thread, including a fault handler on the
     * IOMMU's fault thread; never blocks. Only the first report of an episode is handled, off the calling
     * thread; reports while a crash is being handled or recovered are counted in
     * {@link RprocStatus#coalescedReports()}.
     *
     * @return {@code true} if this report started a crash episode, {@code false} if it was coalesced or the
     *     processor is offline
     */
    boolean reportCrash(CrashType type);

    /**
     * Turns recovery on or off (the {@code recovery} knob). Turning it on while {@link RprocState#CRASHED}
     * recovers the processor, as Linux does.
     */
    void setRecoveryEnabled(boolean enabled);

    /**
     * Recovers a {@link RprocState#CRASHED} processor now, whatever the crash-loop policy says (the knob's
     * {@code recover}); the policy's history starts afresh.
     *
     * @return {@code false} if the processor was not crashed
     */
    boolean recover();
}
