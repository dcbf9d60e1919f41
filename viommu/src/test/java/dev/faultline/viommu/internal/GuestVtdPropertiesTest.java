package dev.faultline.viommu.internal;

import static dev.faultline.viommu.internal.VirtualVtdRig.GPU;
import static dev.faultline.viommu.internal.VirtualVtdRig.NIC;
import static dev.faultline.viommu.internal.VirtualVtdRig.VRID_GPU;
import static dev.faultline.viommu.internal.VirtualVtdRig.VRID_NIC;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.platform.dma.TranslationOutcome;
import dev.faultline.platform.vtd.FaultReason;
import dev.faultline.platform.vtd.FaultRecord;
import dev.faultline.platform.vtd.PageRequestDescriptor;
import dev.faultline.platform.vtd.RegisterMap;
import dev.faultline.platform.x86.FirstLevelPageTable;
import dev.faultline.testkit.group.RecordingFaultGroup;
import dev.faultline.testkit.property.Gen;
import dev.faultline.testkit.property.Gens;
import dev.faultline.testkit.property.Property;
import dev.faultline.viommu.GuestLimits;
import dev.faultline.viommu.VirtualPasidEntry;
import dev.faultline.viommu.VirtualVtdOptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The virtual VT-d unit over random guest tables and random guest programming.
 *
 * <ul>
 *   <li>Nested agreement: random first-level tables (built with the platform's builders, then corrupted as a
 *       buggy guest would, {@link RandomGuestTables}) and a random access run on the VT-d model with a nested
 *       PASID entry; the guest programs its virtual unit with the same first-level table, and for a first-level
 *       fault (the guest's) the record it reads from its own fault recording registers is the unit's, with its
 *       virtual requester id, whatever the host's record says: no byte of it reaches the guest.</li>
 *   <li>Any guest programming (register writes, scribbled tables, random descriptors) interleaved with its
 *       devices' faults and page requests: nothing throws or prints, every entry the binder installs is a first
 *       level within the unit's address width, and every page request group is answered exactly once by the
 *       time the guest is gone.</li>
 * </ul>
 *
 * Each trial's seed and shrunk counterexample are in the failure message ({@code -Dfaultline.seed} replays it).
 */
class GuestVtdPropertiesTest {
    private static final String FAULT = "a first-level fault the guest gets";
    private static final String HOST_FAULT = "a second-level fault the host keeps";
    private static final DeviceId DEVICE = DeviceId.parse("0000:03:00.0");

    @Test
    void theRecordAGuestReadsFromItsVirtualUnitIsTheUnitsForTheSameTablesAndHoldsNoHostByte() {
        Property.tries(200).cover(List.of(FAULT, HOST_FAULT)).check(s -> {
            long seed = s.draw("seed", Gens.longs());
            SplittableRandom random = new SplittableRandom(seed);
            RandomGuestTables.VtdRun run = RandomGuestTables.vtd(random, true);
            if (run.outcome() == TranslationOutcome.TRANSLATED) {
                return;
            }
            int code = run.record().reasonCode();
            String context = "seed " + seed + ": nested, " + run.description();
            if (!FaultReason.firstLevel(code)) {
                s.classify(HOST_FAULT);
                return; // the host's: it never reaches a guest (PermissionsOnlyForwardingPropertiesTest)
            }
            if (run.context().executeRequests()) {
                return; // ERE: the virtual unit offers no execute requests, so its guest cannot write this entry
            }
            s.classify(FAULT);
            int virtualRid = random.nextInt(1 << 16);
            boolean compress = random.nextBoolean();
            FaultRecord hardware = run.record();
            long[] fromHardware = guestReads(run, virtualRid, compress,
                    HardwareRecord.of(FaultRecord.FORMAT, hardware.low(), hardware.high()));
            FaultRecord expected = new FaultRecord(hardware.address(), virtualRid, hardware.pasidPresent(),
                    hardware.pasid(), hardware.reasonCode(), hardware.read(), hardware.typeBit2(),
                    hardware.privileged(), hardware.execute(), hardware.addressType(), true);
            assertThat(fromHardware).as(context).containsExactly(expected.low(), expected.high());
            long[] garbage = {random.nextLong(), random.nextLong()};
            for (HardwareRecord host : List.of(HardwareRecord.of(FaultRecord.FORMAT, garbage), HardwareRecord.NONE)) {
                assertThat(guestReads(run, virtualRid, compress, host)).as(context + ", host record " + host)
                        .containsExactly(fromHardware);
            }
        });
    }

    /**
     * A guest with one device programs its virtual unit with the run's first-level table (its PASID entry, or
     * the RID_PASID one), the host reports the run's access as a fault with {@code host} as its record, and the
     * guest reads its fault recording registers as Linux's dmar_fault does; returns the one record's qwords.
     */
    private static long[] guestReads(RandomGuestTables.VtdRun run, int virtualRid, boolean compress,
            HardwareRecord host) {
        GuestViommu guest = new GuestViommu("vm", Set.of("vm-nested"), run.guest(), new GuestLimits(4, 4, 0, 1, 0),
                () -> 0, closed -> { });
        GuestVtd unit = new GuestVtd(guest, run.guest(), (device, pasid, entry) -> { },
                new VirtualVtdOptions(8, run.context().addressWidth(), compress), 4);
        unit.addDevice(DEVICE, virtualRid);
        GuestVtdDriver driver = new GuestVtdDriver(run.guest(), unit);
        assertThat(driver.probe(true)).isTrue();
        assertThat(driver.attach(virtualRid, run.pasid(), run.context().tableRoot(), true,
                run.context().supervisorRequests())).isTrue();
        if (run.context().writeProtect()) {
            int index = run.pasid() == Pasid.NONE ? 0 : run.pasid();
            long val2 = driver.pasidEntryAddress(virtualRid, index) + 16;
            run.guest().write64(val2, run.guest().read64(val2) | 1L << 4);
            assertThat(driver.submit(GuestVtdDriver.pasidCacheSelective(index))).isTrue();
        }
        guest.handle(RecordingFaultGroup.unrecoverable(DEVICE, run.pasid(), run.address(), run.permissions(), host));
        try {
            assertThat(unit.deliver(0, TimeUnit.MILLISECONDS)).isEqualTo(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        List<FaultRecord> faults = driver.readFaults();
        assertThat(faults).hasSize(1);
        guest.close();
        return new long[] {faults.get(0).low(), faults.get(0).high()};
    }

    // ---- random programming ---------------------------------------------------------------------------------

    private static final List<Integer> OFFSETS = List.of(RegisterMap.GCMD, RegisterMap.RTADDR, RegisterMap.FSTS,
            RegisterMap.FECTL, RegisterMap.IQA, RegisterMap.IQT, RegisterMap.IQH, RegisterMap.ICS, RegisterMap.PQA,
            RegisterMap.PQH, RegisterMap.PQT, RegisterMap.PRS, RegisterMap.PECTL, 0x220, 0x22c, 0x2a8, 0x7f8);

    enum Kind { PROBE, ATTACH, WRITE32, WRITE64, SCRIBBLE, DESCRIPTOR, FAULT, PAGE_REQUEST, DELIVER, READ_FAULTS,
        READ_REQUESTS, RESPOND, CLEAR_IQE }

    record Op(Kind kind, int a, long b, boolean c) {
    }

    private static Gen<List<Op>> operations() {
        // mostly a working guest, with hostile writes among them
        Gen<Kind> kind = Gens.frequency(Gens.weighted(2, Gens.constant(Kind.PROBE)),
                Gens.weighted(2, Gens.constant(Kind.ATTACH)), Gens.weighted(2, Gens.constant(Kind.WRITE32)),
                Gens.weighted(1, Gens.constant(Kind.WRITE64)), Gens.weighted(2, Gens.constant(Kind.SCRIBBLE)),
                Gens.weighted(2, Gens.constant(Kind.DESCRIPTOR)), Gens.weighted(5, Gens.constant(Kind.FAULT)),
                Gens.weighted(6, Gens.constant(Kind.PAGE_REQUEST)), Gens.weighted(6, Gens.constant(Kind.DELIVER)),
                Gens.weighted(3, Gens.constant(Kind.READ_FAULTS)), Gens.weighted(6, Gens.constant(Kind.READ_REQUESTS)),
                Gens.weighted(8, Gens.constant(Kind.RESPOND)), Gens.weighted(2, Gens.constant(Kind.CLEAR_IQE)));
        Gen<Integer> a = Gens.integers(0, 1 << 16);
        Gen<Long> b = Gens.oneOf(Gens.longs(), Gens.longs(0, VirtualVtdRig.RAM), Gens.longs(0, 0x400));
        Gen<Boolean> c = Gens.booleans();
        Gen<Op> op = source -> new Op(kind.generate(source), a.generate(source), b.generate(source),
                c.generate(source));
        return op.list(1, 120);
    }

    @Test
    void anyGuestProgrammingLeavesEveryGroupAnsweredOnceAndInstallsOnlyFirstLevelsWithinTheWidth() {
        Property.tries(150).check(s -> run(s.draw("ops", operations()), s.draw("compress", Gens.booleans())));
    }

    private static void run(List<Op> ops, boolean compress) {
        VirtualVtdRig rig = new VirtualVtdRig(VirtualVtdOptions.STANDARD.withCompressFaults(compress),
                new GuestLimits(8, 8, 0, 1, 0));
        Map<DeviceId, Integer> groups = new HashMap<>();
        List<PageRequestDescriptor> read = new ArrayList<>();
        FirstLevelPageTable table = new FirstLevelPageTable(rig.guest.frames, FirstLevelPageTable.PAGE_4K);
        int group = 0;
        try {
            rig.guest.probe(true);                                              // a working guest to begin with
            rig.guest.attach(VRID_NIC, 1, table.root(), true, false);
            rig.guest.attach(VRID_GPU, Pasid.NONE, table.root(), true, false);
            for (Op op : ops) {
                DeviceId device = op.c() ? NIC : GPU;
                DevicePort port = op.c() ? rig.nic : rig.gpu;
                int pasid = op.c() ? 1 : Pasid.NONE;
                switch (op.kind()) {
                    case PROBE -> rig.guest.probe(op.a() % 4 != 0);
                    case ATTACH -> rig.guest.attach(op.c() ? VRID_NIC : VRID_GPU, pasid, op.a() % 5 == 0
                            ? op.b() & 0xf_ffff_f000L : table.root(), op.a() % 3 != 0, op.a() % 2 == 0);
                    case WRITE32 -> rig.unit.write32(OFFSETS.get(op.a() % OFFSETS.size()), (int) op.b());
                    case WRITE64 -> rig.unit.write64(OFFSETS.get(op.a() % OFFSETS.size()) & ~7, op.b());
                    case SCRIBBLE -> rig.ram.write64(Math.floorMod(op.b(), VirtualVtdRig.RAM) & ~7L,
                            op.b() * 0x9e37_79b9L);
                    case DESCRIPTOR -> rig.guest.submitRaw(List.of(new long[] {(op.a() & 0xf) | (op.b() & ~0xfL),
                        op.b() >>> op.a() % 64}));
                    case FAULT, PAGE_REQUEST -> {
                        VirtualPasidEntry bound = rig.bound(device, pasid);
                        if (bound == null || bound.mode() != VirtualPasidEntry.Mode.FIRST_LEVEL) {
                            continue; // an aborting PASID: the host's own fault, not the guest's
                        }
                        long address = op.b() & 0x7fff_ffff_f000L;
                        if (op.kind() == Kind.FAULT) {
                            rig.fault(port, pasid, address, op.a() % 2 == 0 ? Permissions.READ : Permissions.WRITE);
                        } else {
                            rig.pageRequest(port, pasid, group++ & 0x1ff, address, Permissions.READ, true);
                            groups.merge(device, 1, Integer::sum);
                        }
                    }
                    case DELIVER -> rig.unit.deliver(0, TimeUnit.MILLISECONDS);
                    case READ_FAULTS -> rig.guest.readFaults();
                    case READ_REQUESTS -> read.addAll(rig.guest.readPageRequests());
                    case RESPOND -> {
                        // mostly the request read last (as a guest answers), else an older, replayed or made-up one
                        PageRequestDescriptor r = read.isEmpty() ? null
                                : read.get(op.a() % 4 == 0 ? op.a() % read.size() : read.size() - 1);
                        if (r != null && op.c()) {
                            rig.guest.respond(r, op.a() % 7 == 0 ? 1 : 0);
                        } else {
                            rig.guest.submit(GuestVtdDriver.response(op.a() & 0xffff, op.c(), (int) op.b() & 0xfffff,
                                    op.a() & 0x1ff, (int) op.b() & 0xf));
                        }
                    }
                    case CLEAR_IQE -> rig.guest.skipBadDescriptor();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            rig.close();
        }
        for (DeviceId device : List.of(NIC, GPU)) {
            assertThat(rig.answers.of(device)).as("every group of %s answered once", device)
                    .hasSize(groups.getOrDefault(device, 0));
        }
        for (VirtualVtdRig.Bind bind : rig.binds) {
            assertThat(bind.entry().firstLevelTable() >>> VirtualVtdOptions.STANDARD.addressWidth()).as("%s", bind)
                    .isZero();
        }
        assertThat(rig.hostLog).isEmpty();
    }
}
