package dev.faultline.drivers.remoteproc;

import dev.faultline.api.fault.Permissions;
import java.util.Objects;

/**
 * One handled crash: the first crash report of an episode.
 *
 * @param number the crash count after this crash ({@code handling crash #%u}), from 1
 * @param type why it crashed
 * @param deviceAddress for {@link CrashType#MMUFAULT}, the faulting device address ({@code da}); else 0
 * @param access for {@link CrashType#MMUFAULT}, the access that faulted; else {@link Permissions#NONE}
 * @param reportedNanos {@link System#nanoTime()} (of the processor's clock) when it was reported
 */
public record Crash(int number, CrashType type, long deviceAddress, Permissions access, long reportedNanos) {

    /**
     * Validates the crash.
     *
     * @throws IllegalArgumentException for a number below 1
     */
    public Crash {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(access, "access");
        if (number < 1) {
            throw new IllegalArgumentException("crash numbers start at 1, got " + number);
        }
    }
}
