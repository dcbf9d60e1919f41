package dev.faultline.smmuv3.internal;

import dev.faultline.core.log.LogSink;
import dev.faultline.platform.smmuv3.Smmu;
import dev.faultline.platform.smmuv3.SmmuRegisters;

/**
 * Global errors (GERROR against GERRORN, IHI 0070 §7.5) logged and acknowledged as Linux's
 * {@code arm_smmu_gerror_handler} does; a command queue error is recovered ({@link CommandQueue#recover()}).
 */
final class GlobalErrors {
    private final Smmu smmu;
    private final CommandQueue commands;
    private final String prefix;
    private final LogSink log;

    GlobalErrors(Smmu smmu, CommandQueue commands, String prefix, LogSink log) {
        this.smmu = smmu;
        this.commands = commands;
        this.prefix = prefix;
        this.log = log;
    }

    /** Handles the errors active now, if any. */
    void check() {
        int gerror = smmu.read32(SmmuRegisters.GERROR);
        int active = gerror ^ smmu.read32(SmmuRegisters.GERRORN);
        if ((active & SmmuRegisters.GERROR_ERR_MASK) == 0) {
            return;
        }
        log.warn(prefix + String.format("unexpected global error reported (0x%08x), this could be serious", active));
        if ((active & SmmuRegisters.GERROR_EVTQ_ABT_ERR) != 0) {
            log.error(prefix + "EVTQ write aborted -- events may have been lost");
        }
        if ((active & SmmuRegisters.GERROR_PRIQ_ABT_ERR) != 0) {
            log.error(prefix + "PRIQ write aborted -- events may have been lost");
        }
        if ((active & SmmuRegisters.GERROR_SFM_ERR) != 0) {
            log.error(prefix + "device has entered Service Failure Mode!");
        }
        if ((active & SmmuRegisters.GERROR_CMDQ_ERR) != 0) {
            commands.recover();
        }
        smmu.write32(SmmuRegisters.GERRORN, gerror);
    }
}
