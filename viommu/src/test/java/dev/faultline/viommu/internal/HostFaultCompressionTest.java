package dev.faultline.viommu.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.Permissions;
import dev.faultline.platform.dma.AccessType;
import dev.faultline.platform.dma.DmaAccess;
import dev.faultline.platform.memory.FrameAllocator;
import dev.faultline.platform.memory.PhysicalMemory;
import dev.faultline.platform.vtd.ContextEntry;
import dev.faultline.platform.vtd.FaultRecord;
import dev.faultline.platform.vtd.FaultStatus;
import dev.faultline.platform.vtd.PasidDirectoryEntry;
import dev.faultline.platform.vtd.PasidEntry;
import dev.faultline.platform.vtd.RegisterMap;
import dev.faultline.platform.vtd.RemappingUnit;
import dev.faultline.platform.vtd.RootEntry;
import dev.faultline.platform.vtd.UnitConfiguration;
import dev.faultline.platform.vtd.UnitCounters;
import dev.faultline.platform.x86.FirstLevelPageTable;
import dev.faultline.testkit.group.RecordingFaultGroup;
import dev.faultline.viommu.GuestLimits;
import dev.faultline.viommu.GuestMemoryWindow;
import dev.faultline.viommu.VirtualVtdOptions;
import dev.faultline.viommu.VirtualVtdStatistics;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Fault compression on the host unit and on the guest's virtual unit, each on or off: a device faults on twelve
 * pages while the host's fault interrupt waits; the host driver then reads the unit's fault recording registers
 * (as intel-vtd does) and reports each record; the guest reads its own. What the host compressed or dropped
 * never reaches the guest, what reached the guest is recorded, compressed or overflowed there, and the counts
 * add up on both sides.
 */
class HostFaultCompressionTest {
    private static final int FAULTS = 12;
    private static final int RECORDS = 8;
    private static final int RID = 0x0300;
    private static final int VIRTUAL_RID = 0x0010;
    private static final int PASID = 7;
    private static final long VA = 0x7f00_0000_0000L;
    private static final DeviceId DEVICE = DeviceId.parse("0000:03:00.0");

    @ParameterizedTest(name = "host compression {0}, guest compression {1}")
    @CsvSource({"false, false", "true, false", "false, true", "true, true"})
    void whatTheHostCompressesNeverReachesTheGuestAndEverythingIsCounted(boolean hostCompress,
            boolean guestCompress) throws InterruptedException {
        PhysicalMemory memory = new PhysicalMemory();
        GuestMemoryWindow ram = new GuestMemoryWindow(memory, 0, 1L << 30);   // first-level only: identity
        FrameAllocator hostFrames = new FrameAllocator(memory, 0x100_0000L, 0x1000_0000L);
        FirstLevelPageTable table = new FirstLevelPageTable(hostFrames, FirstLevelPageTable.PAGE_4K); // empty
        RemappingUnit host = hostUnit(memory, hostFrames, table.root());
        host.compressFaults(hostCompress);
        for (int i = 0; i < FAULTS; i++) {
            host.issue(DmaAccess.of(RID, VA + i * 0x1000L, AccessType.READ, 8).withPasid(PASID));
        }
        UnitCounters hostCounters = host.counters();
        assertThat(hostCounters.faultsRecorded() + hostCounters.faultsCompressed() + hostCounters.faultsOverflowed())
                .isEqualTo(FAULTS);
        assertThat(hostCounters.faultsRecorded()).isEqualTo(hostCompress ? 1 : RECORDS);

        GuestViommu guest = new GuestViommu("vm", Set.of("vm-nested"), ram, new GuestLimits(64, 8, 0, 1, 0),
                () -> 0, closed -> { });
        GuestVtd unit = new GuestVtd(guest, ram, (device, pasid, entry) -> { },
                new VirtualVtdOptions(RECORDS, 46, guestCompress), 8);
        unit.addDevice(DEVICE, VIRTUAL_RID);
        GuestVtdDriver driver = new GuestVtdDriver(ram, unit);
        assertThat(driver.probe(true)).isTrue();
        assertThat(driver.attach(VIRTUAL_RID, PASID, table.root(), true, false)).isTrue();

        List<FaultRecord> reported = drain(host);                              // the host driver's fault thread
        for (FaultRecord r : reported) {
            guest.handle(RecordingFaultGroup.unrecoverable(DEVICE, PASID, r.address(), Permissions.READ,
                    HardwareRecord.of(FaultRecord.FORMAT, r.low(), r.high())));
        }
        unit.deliver(0, TimeUnit.MILLISECONDS);
        List<FaultRecord> seen = driver.readFaults();

        assertThat(guest.statistics().routed()).isEqualTo(hostCounters.faultsRecorded());
        VirtualVtdStatistics v = unit.statistics();
        assertThat(v.faultsRecorded() + v.faultsCompressed() + v.faultsOverflowed())
                .isEqualTo(hostCounters.faultsRecorded());
        assertThat(seen).hasSize(guestCompress ? 1 : (int) hostCounters.faultsRecorded());
        assertThat(seen).allSatisfy(f -> {
            assertThat(f.sourceId()).isEqualTo(VIRTUAL_RID);
            assertThat(f.reasonCode()).isEqualTo(0x71);
        });
        assertThat(seen.get(0).address()).isEqualTo(VA);                        // the first fault is always kept
    }

    /** Scalable mode, translation on, fault interrupt masked; RID's PASID is first-level over {@code root}. */
    private static RemappingUnit hostUnit(PhysicalMemory memory, FrameAllocator frames, long root) {
        RemappingUnit unit = new RemappingUnit(UnitConfiguration.standard("dmar0", 0, RECORDS, 1L << 36), memory);
        long rootTable = frames.allocatePage();
        long contextTable = frames.allocatePage();
        long directory = frames.allocatePage();
        long pasidTable = frames.allocatePage();
        memory.write64(rootTable + RootEntry.offset(RID >>> 8), contextTable | 1);
        ContextEntry context = new ContextEntry(true, false, true, true, true, 0, directory, 0, false);
        memory.write64(contextTable + ContextEntry.offset(RID & 0xff), context.qw0());
        memory.write64(directory + PasidDirectoryEntry.offset(PASID),
                new PasidDirectoryEntry(true, false, pasidTable).value());
        PasidEntry entry = PasidEntry.firstLevel(root, 1, false);
        for (int i = 0; i < 8; i++) {
            memory.write64(pasidTable + PasidEntry.offset(PASID) + 8L * i, entry.word(i));
        }
        unit.write64(RegisterMap.RTADDR, rootTable | RegisterMap.RTADDR_SMT);
        unit.write32(RegisterMap.GCMD, RegisterMap.GCMD_SRTP);
        unit.write32(RegisterMap.GCMD, RegisterMap.GCMD_TE);
        return unit;
    }

    /** The host driver's dmar_fault: every pending record from FRI, cleared as read. */
    private static List<FaultRecord> drain(RemappingUnit unit) {
        List<FaultRecord> out = new ArrayList<>();
        FaultStatus status = new FaultStatus(unit.read32(RegisterMap.FSTS));
        int index = status.faultRecordIndex();
        while (status.primaryPendingFault()) {
            int at = unit.configuration().capability().faultRecordOffset(index);
            FaultRecord r = FaultRecord.decode(unit.read64(at), unit.read64(at + 8));
            if (!r.valid()) {
                break;
            }
            out.add(r);
            unit.write32(at + 12, RegisterMap.FRCD_F);
            index = (index + 1) % RECORDS;
        }
        unit.write32(RegisterMap.FSTS, RegisterMap.FSTS_PFO);
        return out;
    }
}
