package dev.faultline.drivers.remoteproc;

import java.util.Optional;

/**
 * A snapshot of a remote processor, as the shell and tests see it.
 *
 * @param name the processor's name ({@code rproc->name}, e.g. {@code adsp})
 * @param device its class device name ({@code remoteproc0})
 * @param domain the IOMMU domain its fault handler serves
 * @param state where it is now
 * @param firmware the firmware image it boots
 * @param crashCount crashes handled so far ({@code crash_cnt})
 * @param coalescedReports crash reports that arrived while a crash was already being handled, and were only counted
 * @param recoveries recoveries that brought it back to {@link RprocState#RUNNING}
 * @param recoveryEnabled whether crashes are recovered ({@code recovery} knob)
 * @param crashLoopHalts how often the crash-loop policy refused a recovery
 * @param lastCrash the last handled crash, if any
 */
public record RprocStatus(String name, String device, String domain, RprocState state, String firmware,
        int crashCount, long coalescedReports, int recoveries, boolean recoveryEnabled, int crashLoopHalts,
        Optional<Crash> lastCrash) {
}
