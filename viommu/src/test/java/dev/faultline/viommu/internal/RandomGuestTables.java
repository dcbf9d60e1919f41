package dev.faultline.viommu.internal;

import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permission;
import dev.faultline.api.fault.Permissions;
import dev.faultline.platform.arm.Protection;
import dev.faultline.platform.arm.TranslationTable;
import dev.faultline.platform.dma.AccessType;
import dev.faultline.platform.dma.DmaAccess;
import dev.faultline.platform.dma.DmaTransaction;
import dev.faultline.platform.dma.TranslationOutcome;
import dev.faultline.platform.memory.FrameAllocator;
import dev.faultline.platform.memory.PhysicalMemory;
import dev.faultline.platform.smmuv3.ContextDescriptor;
import dev.faultline.platform.smmuv3.EventRecord;
import dev.faultline.platform.smmuv3.QueuePointer;
import dev.faultline.platform.smmuv3.Smmu;
import dev.faultline.platform.smmuv3.SmmuFeatures;
import dev.faultline.platform.smmuv3.SmmuRegisters;
import dev.faultline.platform.smmuv3.StreamTableEntry;
import dev.faultline.platform.vtd.ContextEntry;
import dev.faultline.platform.vtd.ExtendedCapability;
import dev.faultline.platform.vtd.FaultRecord;
import dev.faultline.platform.vtd.PasidDirectoryEntry;
import dev.faultline.platform.vtd.PasidEntry;
import dev.faultline.platform.vtd.RegisterMap;
import dev.faultline.platform.vtd.RemappingUnit;
import dev.faultline.platform.vtd.RootEntry;
import dev.faultline.platform.vtd.UnitConfiguration;
import dev.faultline.platform.x86.FirstLevelPageTable;
import dev.faultline.platform.x86.PageProtection;
import dev.faultline.platform.x86.PagingLevel;
import dev.faultline.platform.x86.SecondLevelPageTable;
import dev.faultline.viommu.ArmStage1Context;
import dev.faultline.viommu.FirstLevelContext;
import dev.faultline.viommu.GuestMemoryWindow;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Random guest tables (built with the platform's table builders, then corrupted at random as a buggy guest
 * would) and a random access, run on the hardware model programmed through its registers: an {@link Smmu}
 * with an Arm stage-1 context descriptor, or a {@link RemappingUnit} in scalable mode with a first-level
 * PASID-table entry. Each run gives the guest's view (its memory and stage-1 context), the access, and what
 * the hardware did and recorded.
 */
final class RandomGuestTables {
    /** Guest RAM for the Arm runs: the identity window [0, 2 GiB); the hardware sees an external abort above it. */
    static final long RAM = 2L << 30;
    private static final long TABLES = 0x4000_0000L;
    static final int STREAM = 3;
    private static final int EVTQ_LOG2 = 4;
    private static final long GIB = 1L << 30;
    private static final long MIB2 = 1L << 21;
    private static final long KIB4 = 1L << 12;
    static final int RID = 0x0300;
    private static final long MEMORY_TOP = 1L << 36;
    /** Guest RAM of the nested VT-d runs, identity-mapped by the host's second level. */
    static final long NESTED_RAM = 1L << 30;

    private RandomGuestTables() {
    }

    /**
     * One Arm run: what the SMMU did with the access.
     *
     * @param guest the guest's memory (identity window)
     * @param cdAddress where the context descriptor lies
     * @param context the guest's stage-1 context as the vIOMMU reads it
     * @param outcome the transaction's outcome
     * @param physicalAddress the output address if translated
     * @param events the event queue's records
     * @param description the run, for assertion messages
     */
    record ArmRun(GuestMemoryWindow guest, long cdAddress, ArmStage1Context context, long address,
            Permissions permissions, TranslationOutcome outcome, long physicalAddress, List<EventRecord> events,
            String description) {
    }

    /**
     * One VT-d run: what the remapping unit did with the access.
     *
     * @param record the first fault recording register (valid or not)
     */
    record VtdRun(GuestMemoryWindow guest, FirstLevelContext context, int pasid, long address,
            Permissions permissions, TranslationOutcome outcome, long physicalAddress, FaultRecord record,
            String description) {
    }

    static ArmRun arm(SplittableRandom random) throws InterruptedException {
        PhysicalMemory memory = new PhysicalMemory();
        FrameAllocator frames = new FrameAllocator(memory, TABLES, 0x1000_0000L);
        Smmu smmu = new Smmu("smmuv3.prop", SmmuFeatures.defaults(), memory);
        smmu.addExternalAbortRange(RAM, (1L << 52) - RAM);
        long strtab = frames.allocate(256 * 64, 4096);
        long evtq = frames.allocate(4096, 4096);
        smmu.write64(SmmuRegisters.STRTAB_BASE, strtab | SmmuRegisters.STRTAB_BASE_RA);
        smmu.write32(SmmuRegisters.STRTAB_BASE_CFG, 8);
        smmu.write64(SmmuRegisters.EVENTQ_BASE, evtq | EVTQ_LOG2 | SmmuRegisters.Q_BASE_RWA);
        smmu.write32(SmmuRegisters.CR0, SmmuRegisters.CR0_SMMUEN | SmmuRegisters.CR0_EVTQEN);

        int inputBits = 25 + random.nextInt(24);
        int ips = random.nextInt(6);
        TranslationTable table = TranslationTable.stage1(frames, inputBits);
        List<Long> mapped = mapArm(random, table, inputBits, frames, memory);
        long[] cd = ContextDescriptor.linux(inputBits, ips, 1, table.root(), false)
                .withAccessFlag(random.nextInt(4) == 0, random.nextInt(4) == 0, false).encode();
        if (random.nextInt(20) == 0) {
            cd[0] |= 1L << 14;                                    // EPD0
        }
        long cdAt = frames.allocate(64, 64);
        for (int i = 0; i < cd.length; i++) {
            memory.write64(cdAt + 8L * i, cd[i]);
        }
        long[] ste = StreamTableEntry.builder().config(true, StreamTableEntry.CFG_S1_TRANS).contextTable(cdAt, 0, 0)
                .stage1Controls(0, false, 0).build().encode();
        for (int i = 0; i < ste.length; i++) {
            memory.write64(strtab + 64L * STREAM + 8L * i, ste[i]);
        }

        long address = accessAddress(random, mapped, inputBits) & ~3L;
        AccessType type = AccessType.values()[random.nextInt(3)];
        boolean privileged = random.nextBoolean();
        GuestMemoryWindow guest = new GuestMemoryWindow(memory, 0, RAM);
        DmaTransaction tx = smmu.issue(DmaAccess.of(STREAM, address, type, 4).withPrivileged(privileged));
        TranslationOutcome outcome = tx.await(5, TimeUnit.SECONDS);
        List<EventRecord> events = drain(smmu, memory, evtq);
        String description = String.format("IAS %d, IPS %d, %s %s at 0x%x, SMMU %s %s", inputBits, ips,
                privileged ? "privileged" : "unprivileged", type, address, outcome, events);
        return new ArmRun(guest, cdAt, ArmStage1Context.readCd(guest, cdAt), address, permissions(type, privileged),
                outcome, outcome == TranslationOutcome.TRANSLATED ? tx.physicalAddress() : -1, events, description);
    }

    static VtdRun vtd(SplittableRandom random) throws InterruptedException {
        return vtd(random, false);
    }

    /**
     * A VT-d run; {@code nested}: the PASID entry is nested (PGTT 3) over a host second level that maps guest RAM
     * [0, {@link #NESTED_RAM}) one to one, so first-level tables, and outputs, outside it are refused by the
     * second level (the host's faults) while the first level's own faults are the guest's.
     */
    static VtdRun vtd(SplittableRandom random, boolean nested) throws InterruptedException {
        PhysicalMemory memory = new PhysicalMemory();
        FrameAllocator frames = new FrameAllocator(memory, 0x100_0000L, 0x1000_0000L);
        UnitConfiguration standard = UnitConfiguration.standard("dmar0", 0, 8, MEMORY_TOP);
        boolean executeRequestsSupported = random.nextBoolean();
        UnitConfiguration configuration = executeRequestsSupported ? new UnitConfiguration(standard.name(),
                standard.segment(), standard.capability(), ExtendedCapability.of(UnitConfiguration.STANDARD_FEATURES
                        | ExtendedCapability.EXECUTE_REQUESTS, standard.extendedCapability().pasidBits()),
                standard.addressWidth(), standard.memoryTop()) : standard;
        RemappingUnit unit = new RemappingUnit(configuration, memory);
        long root = frames.allocatePage();
        unit.write64(RegisterMap.RTADDR, root | RegisterMap.RTADDR_SMT);
        unit.write32(RegisterMap.GCMD, RegisterMap.GCMD_SRTP);
        unit.write32(RegisterMap.GCMD, RegisterMap.GCMD_TE);

        int pasid = random.nextBoolean() ? Pasid.NONE : 1 + random.nextInt(1000);
        long entryAt = pasidEntry(memory, frames, root, pasid);
        long maxPage = switch (random.nextInt(3)) {
            case 0 -> FirstLevelPageTable.PAGE_4K;
            case 1 -> FirstLevelPageTable.PAGE_2M;
            default -> FirstLevelPageTable.PAGE_1G;
        };
        FirstLevelPageTable table = new FirstLevelPageTable(frames, maxPage);
        List<Long> mapped = mapFirstLevel(random, table, memory);
        boolean sre = random.nextBoolean();
        PasidEntry entry = PasidEntry.firstLevel(table.root(), 1, sre);
        if (nested) {
            SecondLevelPageTable secondLevel = new SecondLevelPageTable(frames);
            secondLevel.map(0, 0, NESTED_RAM, true, true);
            entry = PasidEntry.nested(table.root(), secondLevel.root(), 1, sre);
        }
        if (random.nextBoolean()) {
            entry = entry.withWord(2, entry.word(2) | (1L << 4));    // WPE
        }
        if (executeRequestsSupported && random.nextBoolean()) {
            entry = entry.withWord(2, entry.word(2) | (1L << 1));    // ERE, only where ECAP offers it
        }
        for (int i = 0; i < 8; i++) {
            memory.write64(entryAt + 8L * i, entry.word(i));
        }

        long address = accessAddress(random, mapped, 48) & ~3L;
        if (random.nextInt(10) == 0) {
            address |= 0xffff_0000_0000_0000L;                      // upper canonical half, or not canonical
        }
        AccessType type = AccessType.values()[random.nextInt(3)];
        boolean privileged = pasid != Pasid.NONE && random.nextBoolean();
        GuestMemoryWindow guest = new GuestMemoryWindow(memory, 0, nested ? NESTED_RAM : MEMORY_TOP);
        FirstLevelContext context = FirstLevelContext.readPasidEntry(guest, entryAt,
                unit.configuration().addressWidth());
        DmaAccess access = DmaAccess.of(RID, address, type, 4).withPrivileged(privileged);
        DmaTransaction tx = unit.issue(pasid == Pasid.NONE ? access : access.withPasid(pasid));
        TranslationOutcome outcome = tx.await(5, TimeUnit.SECONDS);
        int offset = unit.configuration().capability().faultRecordOffset(0);
        FaultRecord record = FaultRecord.decode(unit.read64(offset), unit.read64(offset + 8));
        String description = String.format("PASID %s, SRE %b, ERE %b, WPE %b, %s %s at 0x%x, unit %s %s",
                Pasid.format(pasid), sre, context.executeRequests(), context.writeProtect(),
                privileged ? "supervisor" : "user", type, address, outcome, record.valid() ? record.message() : "-");
        return new VtdRun(guest, context, pasid, address, permissions(type, privileged), outcome,
                outcome == TranslationOutcome.TRANSLATED ? tx.physicalAddress() : -1, record, description);
    }

    /** Maps a few random ranges with random Linux protections, then corrupts some descriptors. */
    private static List<Long> mapArm(SplittableRandom random, TranslationTable table, int inputBits,
            FrameAllocator frames, PhysicalMemory memory) {
        List<Long> mapped = new ArrayList<>();
        int mappings = 1 + random.nextInt(6);
        for (int i = 0; i < mappings; i++) {
            long size = switch (random.nextInt(inputBits > 31 ? 3 : 2)) {
                case 0 -> KIB4;
                case 1 -> MIB2;
                default -> GIB;
            };
            long iova = random.nextLong(1L << inputBits) & -size;
            long pa = random.nextLong(1L << (32 + random.nextInt(17))) & -size;
            int prot = (random.nextBoolean() ? Protection.READ : 0) | (random.nextBoolean() ? Protection.WRITE : 0)
                    | (random.nextBoolean() ? Protection.NOEXEC : 0) | (random.nextBoolean() ? Protection.PRIV : 0)
                    | Protection.CACHE;
            if ((prot & Protection.READ_WRITE) == 0) {
                prot |= Protection.READ;
            }
            try {
                table.map(iova, pa, size, prot);
                mapped.add(iova);
            } catch (IllegalStateException | IllegalArgumentException overlapOrRange) {
                // the guest's second mapping of a range fails, as Linux's -EEXIST
            }
        }
        int corruptions = random.nextInt(4);
        for (int i = 0; i < corruptions && !mapped.isEmpty(); i++) {
            try {
                corruptArm(random, table, frames, memory, mapped.get(random.nextInt(mapped.size())));
            } catch (IllegalStateException blockAbove) {
                // writeRaw does not split a block that covers the level asked for
            }
        }
        return mapped;
    }

    private static void corruptArm(SplittableRandom random, TranslationTable table, FrameAllocator frames,
            PhysicalMemory memory, long iova) {
        switch (random.nextInt(4)) {
            case 0 -> table.leafDescriptorAddress(iova).ifPresent(at -> memory.write64(at,
                    memory.read64(at) ^ (1L << LEAF_BITS[random.nextInt(LEAF_BITS.length)])));
            case 1 -> {
                int level = Math.max(table.startLevel(), random.nextInt(3));
                long hierarchy = (random.nextBoolean() ? 1L << 59 : 0) | (random.nextBoolean() ? 1L << 60 : 0)
                        | (random.nextBoolean() ? 1L << 61 : 0) | (random.nextBoolean() ? 1L << 62 : 0);
                table.writeRaw(iova, level, frames.allocatePage() | 3 | hierarchy);
                try {
                    table.map(iova & -KIB4, random.nextLong(1L << 40) & -KIB4, KIB4,
                            Protection.READ | (random.nextBoolean() ? Protection.WRITE : 0));
                } catch (IllegalStateException | IllegalArgumentException notUnderIt) {
                    // the new table covers a range already holding a block
                }
            }
            case 2 -> table.writeRaw(iova, Math.max(table.startLevel(), random.nextInt(3)),
                    (RAM + random.nextLong(GIB)) & -KIB4 | 3);               // a table outside guest RAM
            default -> table.writeRaw(iova, table.startLevel() + random.nextInt(4 - table.startLevel()),
                    random.nextLong());
        }
    }

    /** Leaf bits worth flipping: valid, type, AP[1], AP[2], AF, address bits 40 and 47, PXN, UXN. */
    private static final int[] LEAF_BITS = {0, 1, 6, 7, 10, 40, 47, 53, 54};

    private static long accessAddress(SplittableRandom random, List<Long> mapped, int inputBits) {
        int pick = random.nextInt(10);
        if (pick < 7 && !mapped.isEmpty()) {
            return mapped.get(random.nextInt(mapped.size())) + random.nextLong(KIB4 << random.nextInt(2));
        }
        if (pick < 9) {
            return random.nextLong(1L << inputBits);
        }
        return random.nextLong() & ((1L << 56) - 1);
    }

    private static Permissions permissions(AccessType type, boolean privileged) {
        Permissions p = type == AccessType.WRITE ? Permissions.WRITE
                : type == AccessType.INSTRUCTION_FETCH ? Permissions.of(Permission.READ, Permission.EXEC)
                : Permissions.READ;
        return privileged ? p.with(Permission.PRIV) : p;
    }

    private static List<EventRecord> drain(Smmu smmu, PhysicalMemory memory, long evtq) {
        List<EventRecord> out = new ArrayList<>();
        int prod = smmu.read32(SmmuRegisters.EVENTQ_PROD);
        int cons = smmu.read32(SmmuRegisters.EVENTQ_CONS);
        while (!QueuePointer.empty(prod, cons, EVTQ_LOG2)) {
            long slot = evtq + 32L * QueuePointer.index(cons, EVTQ_LOG2);
            out.add(EventRecord.decode(memory.read64(slot), memory.read64(slot + 8), memory.read64(slot + 16),
                    memory.read64(slot + 24)));
            cons = QueuePointer.increment(cons, EVTQ_LOG2);
        }
        smmu.write32(SmmuRegisters.EVENTQ_CONS, cons);
        return out;
    }

    /** Makes {@link #RID} present with PASIDs enabled and returns the PASID-table entry for {@code pasid}. */
    private static long pasidEntry(PhysicalMemory memory, FrameAllocator frames, long root, int pasid) {
        long contextTable = frames.allocatePage();
        memory.write64(root + RootEntry.offset(RID >>> 8), contextTable | 1);
        long directory = frames.allocate(2048 * 8, 4096);
        ContextEntry context = new ContextEntry(true, false, true, true, true, 4, directory, 0, false);
        memory.write64(contextTable + ContextEntry.offset(RID & 0xff), context.qw0());
        memory.write64(contextTable + ContextEntry.offset(RID & 0xff) + 8, context.qw1());
        int index = pasid == Pasid.NONE ? 0 : pasid;
        long pasidTable = frames.allocatePage();
        memory.write64(directory + PasidDirectoryEntry.offset(index),
                new PasidDirectoryEntry(true, false, pasidTable).value());
        return pasidTable + PasidEntry.offset(index);
    }

    private static List<Long> mapFirstLevel(SplittableRandom random, FirstLevelPageTable table,
            PhysicalMemory memory) {
        List<Long> mapped = new ArrayList<>();
        int mappings = 1 + random.nextInt(6);
        for (int i = 0; i < mappings; i++) {
            long size = switch (random.nextInt(3)) {
                case 0 -> KIB4;
                case 1 -> MIB2;
                default -> GIB;
            };
            long va = random.nextLong(1L << 47) & -size;
            long pa = random.nextLong(1L << (30 + random.nextInt(17))) & -size;
            if (random.nextInt(30) == 0) {
                pa = 0xfee0_0000L & -Math.min(size, MIB2);
                size = Math.min(size, MIB2);
                va &= -size;
            }
            PageProtection protection = new PageProtection(random.nextBoolean(), random.nextInt(4) != 0,
                    random.nextBoolean());
            try {
                table.map(va, pa, size, protection);
                mapped.add(va);
            } catch (IllegalStateException | IllegalArgumentException overlapOrRange) {
                // already mapped
            }
        }
        int corruptions = random.nextInt(4);
        for (int i = 0; i < corruptions && !mapped.isEmpty(); i++) {
            long va = mapped.get(random.nextInt(mapped.size()));
            PagingLevel level = PagingLevel.values()[random.nextInt(4)];
            table.entryAddress(va, level).ifPresent(at -> {
                long value = memory.read64(at);
                long corrupted = switch (random.nextInt(3)) {
                    case 0 -> value ^ (1L << ENTRY_BITS[random.nextInt(ENTRY_BITS.length)]);
                    case 1 -> (value & 0xfffL) | ((MEMORY_TOP + random.nextLong(1L << 40)) & 0x000f_ffff_ffff_f000L);
                    default -> random.nextLong();
                };
                memory.write64(at, corrupted);
            });
        }
        return mapped;
    }

    /** Entry bits worth flipping: P, R/W, U/S, PS, bit 13, address bits 46 and 51, XD. */
    private static final int[] ENTRY_BITS = {0, 1, 2, 7, 13, 46, 51, 63};
}
