package dev.faultline.smmuv3.internal;

import dev.faultline.core.log.LogSink;
import dev.faultline.platform.memory.FrameAllocator;
import dev.faultline.platform.smmuv3.Command;
import dev.faultline.platform.smmuv3.EventRecord;
import dev.faultline.platform.smmuv3.PriEntry;
import dev.faultline.platform.smmuv3.Smmu;
import dev.faultline.platform.smmuv3.SmmuRegisters;

/**
 * Bring-up of an SMMU: a fresh one is reset and enabled as Linux's {@code arm_smmu_device_reset} does (stream
 * table, command, event and PRI queues sized by the settings capped by IDR1, CMD_CFGI_ALL, CMD_TLBI_NSNH_ALL,
 * CMD_SYNC, CR2.RECINVSID, SMMUEN); one a previous driver left running is adopted as it is.
 */
final class Bringup {
    private final Smmu smmu;
    private final DriverSettings settings;
    private final FrameAllocator frames;
    private final CommandQueue commands;
    private final StreamTable streamTable;
    private final QueueReader events;
    private final QueueReader pageRequests;
    private final LogSink log;
    private final String prefix;

    Bringup(Smmu smmu, DriverSettings settings, FrameAllocator frames, CommandQueue commands, StreamTable streamTable,
            QueueReader events, QueueReader pageRequests, LogSink log, String prefix) {
        this.smmu = smmu;
        this.settings = settings;
        this.frames = frames;
        this.commands = commands;
        this.streamTable = streamTable;
        this.events = events;
        this.pageRequests = pageRequests;
        this.log = log;
        this.prefix = prefix;
    }

    /** Linux {@code arm_smmu_device_reset}: tables and queues, invalidate everything, enable. */
    void reset(ProbedFeatures features) {
        int idr0 = smmu.read32(SmmuRegisters.IDR0);
        int idr1 = smmu.read32(SmmuRegisters.IDR1);
        smmu.write32(SmmuRegisters.CR0, 0);
        smmu.write32(SmmuRegisters.IRQ_CTRL, 0);
        long[] strtab = streamTable.create(features.sidBits(), (idr0 & SmmuRegisters.IDR0_ST_LVL_2LVL) != 0);
        smmu.write64(SmmuRegisters.STRTAB_BASE, strtab[0]);
        smmu.write32(SmmuRegisters.STRTAB_BASE_CFG, (int) strtab[1]);
        int cmdqLog2 = Math.min(settings.commandQueueLog2(), idr1 >>> SmmuRegisters.IDR1_CMDQS_SHIFT & 0x1f);
        long cmdqBase = newQueue(SmmuRegisters.CMDQ_BASE, SmmuRegisters.CMDQ_PROD, SmmuRegisters.CMDQ_CONS, cmdqLog2,
                Command.BYTES);
        commands.use(cmdqBase, cmdqLog2, 0);
        int cr0 = SmmuRegisters.CR0_CMDQEN;
        smmu.write32(SmmuRegisters.CR0, cr0);
        Command.ConfigInvalidation all = Command.ConfigInvalidation.all();
        commands.issue(all.dw0(), all.dw1());
        commands.issueAndSync(Command.OP_TLBI_NSNH_ALL, 0);
        int evtqLog2 = Math.min(settings.eventQueueLog2(), idr1 >>> SmmuRegisters.IDR1_EVTQS_SHIFT & 0x1f);
        events.use(newQueue(SmmuRegisters.EVENTQ_BASE, SmmuRegisters.EVENTQ_PROD, SmmuRegisters.EVENTQ_CONS,
                evtqLog2, EventRecord.BYTES), evtqLog2);
        cr0 |= SmmuRegisters.CR0_EVTQEN;
        smmu.write32(SmmuRegisters.CR0, cr0);
        if (features.priQueue()) {
            int priqLog2 = Math.min(settings.priQueueLog2(), idr1 >>> SmmuRegisters.IDR1_PRIQS_SHIFT & 0x1f);
            pageRequests.use(newQueue(SmmuRegisters.PRIQ_BASE, SmmuRegisters.PRIQ_PROD, SmmuRegisters.PRIQ_CONS,
                    priqLog2, PriEntry.BYTES), priqLog2);
            cr0 |= SmmuRegisters.CR0_PRIQEN;
            smmu.write32(SmmuRegisters.CR0, cr0);
        }
        smmu.write32(SmmuRegisters.CR2, settings.recordInvalidStreamIds() ? SmmuRegisters.CR2_RECINVSID : 0);
        cr0 |= SmmuRegisters.CR0_SMMUEN;
        smmu.write32(SmmuRegisters.CR0, cr0);
        log.info(prefix + "allocated " + (1 << cmdqLog2) + " entries for cmdq");
        log.info(prefix + "allocated " + (1 << evtqLog2) + " entries for evtq");
    }

    /** Takes over tables and queues as the previous driver left them; the PRI queue only if it is enabled. */
    ProbedFeatures adopt(ProbedFeatures features) {
        int idr1 = smmu.read32(SmmuRegisters.IDR1);
        streamTable.adopt(smmu.read64(SmmuRegisters.STRTAB_BASE), smmu.read32(SmmuRegisters.STRTAB_BASE_CFG));
        long cmdqBase = smmu.read64(SmmuRegisters.CMDQ_BASE);
        commands.use(cmdqBase, (int) Math.min(cmdqBase & SmmuRegisters.Q_BASE_LOG2SIZE,
                idr1 >>> SmmuRegisters.IDR1_CMDQS_SHIFT & 0x1f), smmu.read32(SmmuRegisters.CMDQ_PROD));
        long evtqBase = smmu.read64(SmmuRegisters.EVENTQ_BASE);
        events.use(evtqBase, (int) Math.min(evtqBase & SmmuRegisters.Q_BASE_LOG2SIZE,
                idr1 >>> SmmuRegisters.IDR1_EVTQS_SHIFT & 0x1f));
        if (!features.priQueue() || (smmu.read32(SmmuRegisters.CR0) & SmmuRegisters.CR0_PRIQEN) == 0) {
            return features.withoutPriQueue();
        }
        long priqBase = smmu.read64(SmmuRegisters.PRIQ_BASE);
        pageRequests.use(priqBase, (int) Math.min(priqBase & SmmuRegisters.Q_BASE_LOG2SIZE,
                idr1 >>> SmmuRegisters.IDR1_PRIQS_SHIFT & 0x1f));
        return features;
    }

    /** Allocates an empty queue of 2^log2 entries and programs its *_BASE, PROD and CONS registers. */
    private long newQueue(int baseRegister, int prodRegister, int consRegister, int log2, int entryBytes) {
        long bytes = Math.max((long) entryBytes << log2, 32);
        long base = frames.allocate(bytes, bytes) | log2 | SmmuRegisters.Q_BASE_RWA;
        smmu.write64(baseRegister, base);
        smmu.write32(prodRegister, 0);
        smmu.write32(consRegister, 0);
        return base;
    }
}
