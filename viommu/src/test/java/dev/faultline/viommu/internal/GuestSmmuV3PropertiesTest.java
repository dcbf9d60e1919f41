package dev.faultline.viommu.internal;

import static dev.faultline.viommu.internal.VirtualSmmuRig.GPU;
import static dev.faultline.viommu.internal.VirtualSmmuRig.NIC;
import static dev.faultline.viommu.internal.VirtualSmmuRig.VSID_GPU;
import static dev.faultline.viommu.internal.VirtualSmmuRig.VSID_NIC;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Permissions;
import dev.faultline.platform.smmuv3.Command;
import dev.faultline.platform.smmuv3.EventRecord;
import dev.faultline.platform.smmuv3.SmmuRegisters;
import dev.faultline.testkit.property.Gen;
import dev.faultline.testkit.property.Gens;
import dev.faultline.testkit.property.Property;
import dev.faultline.viommu.GuestLimits;
import dev.faultline.viommu.VirtualSte;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Whatever a guest writes to its virtual SMMUv3's registers, its tables and its command queue, in any order and
 * interleaved with its devices' faults and stalls: no access throws, nothing is printed on the host, every entry
 * the binder installs points inside guest RAM with a format the virtual SMMU offers, and every stall is answered
 * exactly once by the time the guest is gone.
 */
class GuestSmmuV3PropertiesTest {
    private static final long RAM = 16L << 20;
    /** Register offsets a guest may touch, the implemented ones and a few others. */
    private static final List<Integer> OFFSETS = List.of(SmmuRegisters.IDR0, SmmuRegisters.CR0, SmmuRegisters.CR0ACK,
            SmmuRegisters.CR2, SmmuRegisters.GBPA, SmmuRegisters.IRQ_CTRL, SmmuRegisters.GERRORN,
            SmmuRegisters.STRTAB_BASE, SmmuRegisters.STRTAB_BASE_CFG, SmmuRegisters.CMDQ_BASE, SmmuRegisters.CMDQ_PROD,
            SmmuRegisters.CMDQ_CONS, SmmuRegisters.EVENTQ_BASE, SmmuRegisters.EVENTQ_PROD, SmmuRegisters.EVENTQ_CONS,
            SmmuRegisters.PRIQ_BASE, 0x7ff8);
    private static final List<Integer> OPCODES = List.of(Command.OP_CFGI_STE, Command.OP_CFGI_ALL, Command.OP_CFGI_CD,
            Command.OP_CFGI_CD_ALL, Command.OP_TLBI_NH_ALL, Command.OP_PRI_RESP, Command.OP_RESUME,
            Command.OP_STALL_TERM, Command.OP_CMD_SYNC, 0x2a, 0x7e);

    enum Kind { RESET, ATTACH, WRITE32, WRITE64, SCRIBBLE, COMMAND, FAULT, STALL, DELIVER, READ, RESUME, ACK }

    record Op(Kind kind, int a, long b, boolean c) {
    }

    private static Gen<List<Op>> operations() {
        // mostly a working guest, with hostile writes among them
        Gen<Kind> kind = Gens.frequency(Gens.weighted(2, Gens.constant(Kind.RESET)),
                Gens.weighted(1, Gens.constant(Kind.ATTACH)), Gens.weighted(2, Gens.constant(Kind.WRITE32)),
                Gens.weighted(1, Gens.constant(Kind.WRITE64)), Gens.weighted(2, Gens.constant(Kind.SCRIBBLE)),
                Gens.weighted(2, Gens.constant(Kind.COMMAND)), Gens.weighted(4, Gens.constant(Kind.FAULT)),
                Gens.weighted(6, Gens.constant(Kind.STALL)), Gens.weighted(6, Gens.constant(Kind.DELIVER)),
                Gens.weighted(6, Gens.constant(Kind.READ)), Gens.weighted(8, Gens.constant(Kind.RESUME)),
                Gens.weighted(2, Gens.constant(Kind.ACK)));
        Gen<Integer> a = Gens.integers(0, 1 << 16);
        Gen<Long> b = Gens.oneOf(Gens.longs(), Gens.longs(0, RAM), Gens.longs(0, 0x400));
        Gen<Boolean> c = Gens.booleans();
        Gen<Op> op = source -> new Op(kind.generate(source), a.generate(source), b.generate(source),
                c.generate(source));
        return op.list(1, 120);
    }

    @Test
    void anyGuestProgrammingLeavesEveryStallAnsweredOnceAndInstallsNothingOutsideItsRam() {
        Property.tries(150).check(s -> run(s.draw("ops", operations()), s.draw("evtqLog2", Gens.integers(0, 3))));
    }

    private static void run(List<Op> ops, int evtqLog2) {
        VirtualSmmuRig rig = new VirtualSmmuRig(evtqLog2, new GuestLimits(8, 8, 0, 1, 0));
        Map<DeviceId, Integer> stalls = new HashMap<>();
        List<EventRecord> read = new ArrayList<>(); // the stall records the guest read
        int stag = 0;
        try {
            rig.guest.reset();                                       // a working guest to begin with
            rig.guest.attach(VSID_NIC, true, false);
            rig.guest.attach(VSID_GPU, true, true);
            for (Op op : ops) {
                DeviceId device = op.c() ? NIC : GPU;
                DevicePort port = op.c() ? rig.nic : rig.gpu;
                switch (op.kind()) {
                    case RESET -> rig.guest.reset();
                    case ATTACH -> rig.guest.attach(op.c() ? VSID_NIC : VSID_GPU, op.a() % 2 == 0, op.a() % 3 == 0);
                    case WRITE32 -> rig.smmu.write32(OFFSETS.get(op.a() % OFFSETS.size()), (int) op.b());
                    case WRITE64 -> rig.smmu.write64(OFFSETS.get(op.a() % OFFSETS.size()), op.b());
                    case SCRIBBLE -> rig.guest.ram.write64(Math.floorMod(op.b(), RAM) & ~7L, op.b() * 0x9e37_79b9L);
                    case COMMAND -> {
                        long dw0 = OPCODES.get(op.a() % OPCODES.size()) | (op.b() & ~0xffL);
                        rig.guest.submitRaw(new long[] {dw0, op.b() >>> op.a() % 64});
                    }
                    case FAULT, STALL -> {
                        VirtualSte ste = rig.bound(device);
                        if (ste == null || ste.mode() != VirtualSte.Mode.STAGE1) {
                            continue; // an aborting STE: the hardware reports nothing
                        }
                        if (op.kind() == Kind.FAULT) {
                            rig.fault(port, op.b() & ~0xfffL, op.c() ? Permissions.READ : Permissions.WRITE);
                        } else {
                            rig.stall(port, stag++ & 0xffff, op.b() & ~0xfffL, Permissions.READ);
                            stalls.merge(device, 1, Integer::sum);
                        }
                    }
                    case DELIVER -> rig.smmu.deliver(0, TimeUnit.MILLISECONDS);
                    case READ -> rig.guest.readEvents().stream().filter(EventRecord::stall).forEach(read::add);
                    case RESUME -> {
                        // mostly the stall read last (as a guest answers), else an older, replayed or made-up one
                        EventRecord e = read.isEmpty() ? null
                                : read.get(op.a() % 4 == 0 ? op.a() % read.size() : read.size() - 1);
                        rig.guest.submit(e != null && op.c() ? new Command.Resume(e.sid(), e.stag(), true, false)
                                : new Command.Resume(op.a() & 0xff, (int) op.b() & 0xffff, op.c(), true));
                    }
                    case ACK -> rig.smmu.write32(SmmuRegisters.GERRORN, rig.smmu.read32(SmmuRegisters.GERROR));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            rig.close();
        }
        for (DeviceId device : List.of(NIC, GPU)) {
            assertThat(rig.answers.of(device)).as("every stall of %s answered once", device)
                    .hasSize(stalls.getOrDefault(device, 0));
        }
        for (Map.Entry<DeviceId, VirtualSte> bind : rig.binds) {
            VirtualSte ste = bind.getValue();
            assertThat(ste.s1Fmt()).isZero();
            assertThat(ste.s1CdMax()).isLessThanOrEqualTo(GuestSmmuV3.SSID_BITS);
            assertThat(ste.contextTable() + (64L << ste.s1CdMax())).isLessThanOrEqualTo(RAM);
        }
        assertThat(rig.hostLog).isEmpty();
    }
}
