package dev.faultline.viommu.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.platform.dma.TranslationOutcome;
import dev.faultline.platform.smmuv3.EventRecord;
import dev.faultline.platform.vtd.FaultRecord;
import dev.faultline.testkit.group.RecordingFaultGroup;
import dev.faultline.testkit.property.Gens;
import dev.faultline.testkit.property.Property;
import dev.faultline.viommu.GuestLimits;
import dev.faultline.viommu.GuestMemory;
import dev.faultline.viommu.Stage1Context;
import dev.faultline.viommu.UnrecoverableEvent;
import dev.faultline.viommu.VirtioIommuFault;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Permissions-only forwarding, over random guest tables and accesses run on the hardware models
 * ({@link RandomGuestTables}): the record a guest gets by default, made only from the access permissions, the
 * address, the PASID and the vIOMMU's own walk, is the record the hardware model writes for the same tables
 * (with the guest's device id), as a virtual SMMUv3 event, a virtual VT-d fault record (first-level only, and
 * nested over a host second level, where only the first level's faults are the guest's) and a virtio-iommu fault;
 * and it is the same whatever the host's record says, so no byte of it reaches the guest. Each trial's seed is
 * and shrunk counterexample are in the failure message ({@code -Dfaultline.seed} replays it).
 */
class PermissionsOnlyForwardingPropertiesTest {
    private static final int TRIALS = 250;
    private static final String FAULT = "a fault the guest gets";
    private static final String HOST_FAULT = "a fault the host keeps";
    private static final DeviceId DEVICE = DeviceId.parse("0000:03:00.0");
    private static final GuestLimits LIMITS = new GuestLimits(4, 4, 0, 1, 0);

    @Test
    void aVirtualSmmuv3GetsTheEventTheSmmuRecordsAndNoHostByte() {
        Property.tries(TRIALS).cover(List.of(FAULT)).check(s -> {
            long seed = s.draw("seed", Gens.longs());
            SplittableRandom random = new SplittableRandom(seed);
            RandomGuestTables.ArmRun run = RandomGuestTables.arm(random);
            if (run.outcome() == TranslationOutcome.TRANSLATED) {
                return;
            }
            s.classify(FAULT);
            String context = "seed " + seed + ": " + run.description();
            EventRecord hardware = run.events().get(0);
            int virtualSid = random.nextInt(1 << 16);
            HardwareRecord host = HardwareRecord.of(EventRecord.FORMAT, hardware.encode());

            UnrecoverableEvent event = deliver(run.guest(), run.context(), virtualSid, Pasid.NONE, run.address(),
                    run.permissions(), host, LIMITS);
            assertThat(event.virtualRecord().words()).as(context)
                    .containsExactly(hardware.withSid(virtualSid).encode());
            assertSameWhateverTheHostSaid(event, run.guest(), run.context(), virtualSid, Pasid.NONE, run.address(),
                    run.permissions(), random, 4, context);
            assertVirtioForm(event, virtualSid, run.address(), run.permissions(), context);
        });
    }

    @Test
    void aVirtualVtdUnitGetsTheFaultRecordTheUnitRecordsAndNoHostByte() {
        Property.tries(TRIALS).cover(List.of(FAULT)).check(s -> {
            long seed = s.draw("seed", Gens.longs());
            SplittableRandom random = new SplittableRandom(seed);
            RandomGuestTables.VtdRun run = RandomGuestTables.vtd(random);
            if (run.outcome() == TranslationOutcome.TRANSLATED) {
                return;
            }
            s.classify(FAULT);
            assertGuestGetsTheUnitsRecord(run, random, "seed " + seed + ": " + run.description());
        });
    }

    @Test
    void aNestedVirtualVtdUnitGetsItsFirstLevelFaultsAsTheUnitRecordsThemAndNothingElse() {
        Property.tries(TRIALS).cover(List.of(FAULT, HOST_FAULT)).check(s -> {
            long seed = s.draw("seed", Gens.longs());
            SplittableRandom random = new SplittableRandom(seed);
            RandomGuestTables.VtdRun run = RandomGuestTables.vtd(random, true);
            if (run.outcome() == TranslationOutcome.TRANSLATED) {
                return;
            }
            String context = "seed " + seed + ": nested, " + run.description();
            int code = run.record().reasonCode();
            if (!dev.faultline.platform.vtd.FaultReason.firstLevel(code)) {
                // the second level's or a table's: the host keeps it, the guest never sees it
                s.classify(HOST_FAULT);
                assertThat(code).as(context).isIn(0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x84);
                return;
            }
            s.classify(FAULT);
            assertGuestGetsTheUnitsRecord(run, random, context);
        });
    }

    /** The guest's record is the unit's with the virtual requester id, whatever the host's record held. */
    private static void assertGuestGetsTheUnitsRecord(RandomGuestTables.VtdRun run, SplittableRandom random,
            String context) {
        FaultRecord hardware = run.record();
        int virtualRid = random.nextInt(1 << 16);
        UnrecoverableEvent event = deliver(run.guest(), run.context(), virtualRid, run.pasid(), run.address(),
                run.permissions(), HardwareRecord.of(FaultRecord.FORMAT, hardware.low(), hardware.high()), LIMITS);
        FaultRecord expected = new FaultRecord(hardware.address(), virtualRid, hardware.pasidPresent(),
                hardware.pasid(), hardware.reasonCode(), hardware.read(), hardware.typeBit2(),
                hardware.privileged(), hardware.execute(), hardware.addressType(), hardware.valid());
        assertThat(event.virtualRecord().words()).as(context).containsExactly(expected.low(), expected.high());
        assertSameWhateverTheHostSaid(event, run.guest(), run.context(), virtualRid, run.pasid(), run.address(),
                run.permissions(), random, 2, context);
        assertVirtioForm(event, virtualRid, run.address(), run.permissions(), context);
    }

    @Test
    void theRawModeStillPassesTheHostsRecordUnderTheVirtualId() {
        Property.tries(TRIALS / 8).check(s -> {
            long seed = s.draw("seed", Gens.longs());
            SplittableRandom random = new SplittableRandom(seed);
            RandomGuestTables.VtdRun run = RandomGuestTables.vtd(random);
            long[] host = {random.nextLong() & ~0xfffL, random.nextLong() & ~0xffffL};
            UnrecoverableEvent event = deliver(run.guest(), run.context(), 0x42, run.pasid(), run.address(),
                    run.permissions(), HardwareRecord.of(FaultRecord.FORMAT, host), LIMITS.withRawRecords(true));
            assertThat(event.virtualRecord().words()).as("seed " + seed).containsExactly(host[0], host[1] | 0x42);
        });
    }

    /** A guest with one device whose stage-1 context is {@code context} takes one fault; returns its event. */
    private static UnrecoverableEvent deliver(GuestMemory memory, Stage1Context context, int virtualId, int pasid,
            long address, Permissions permissions, HardwareRecord host, GuestLimits limits) {
        GuestViommu guest = new GuestViommu("vm", Set.of("vm-nested"), memory, limits, () -> 0, closed -> { });
        guest.addDevice(DEVICE, virtualId);
        guest.setStage1(virtualId, pasid, context);
        guest.handle(RecordingFaultGroup.unrecoverable(DEVICE, pasid, address, permissions, host));
        return (UnrecoverableEvent) guest.poll(1).get(0);
    }

    /** The guest's event is byte for byte the same with a host record of random words, or none at all. */
    private static void assertSameWhateverTheHostSaid(UnrecoverableEvent event, GuestMemory memory,
            Stage1Context context, int virtualId, int pasid, long address, Permissions permissions,
            SplittableRandom random, int words, String description) {
        long[] garbage = new long[words];
        for (int i = 0; i < words; i++) {
            garbage[i] = random.nextLong();
        }
        HardwareRecord forged = HardwareRecord.of(event.virtualRecord().format(), garbage);
        for (HardwareRecord host : new HardwareRecord[] {forged, HardwareRecord.NONE}) {
            UnrecoverableEvent other = deliver(memory, context, virtualId, pasid, address, permissions, host, LIMITS);
            assertThat(other.toBytes()).as(description + ", host record " + host).isEqualTo(event.toBytes());
            assertThat(other.virtioFault().toBytes()).as(description).isEqualTo(event.virtioFault().toBytes());
            assertThat(other.reason()).as(description).isEqualTo(event.reason());
        }
    }

    /** The virtio-iommu form: the derived reason's class, the access flags, the endpoint and the address. */
    private static void assertVirtioForm(UnrecoverableEvent event, int endpoint, long address,
            Permissions permissions, String description) {
        int flags = (permissions.read() ? VirtioIommuFault.FLAG_READ : 0)
                | (permissions.write() ? VirtioIommuFault.FLAG_WRITE : 0)
                | (permissions.exec() ? VirtioIommuFault.FLAG_EXEC : 0) | VirtioIommuFault.FLAG_ADDRESS;
        VirtioIommuFault parsed = VirtioIommuFault.parse(event.virtioFault().toBytes());
        assertThat(parsed).as(description)
                .isEqualTo(new VirtioIommuFault(event.reason().virtioReason(), flags, endpoint, address));
        assertThat(parsed.reason()).as(description).isIn(VirtioIommuFault.REASON_UNKNOWN,
                VirtioIommuFault.REASON_MAPPING, VirtioIommuFault.REASON_DOMAIN);
    }
}
