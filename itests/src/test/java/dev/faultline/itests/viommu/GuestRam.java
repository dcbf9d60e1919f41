package dev.faultline.itests.viommu;

import dev.faultline.platform.arm.Protection;
import dev.faultline.platform.arm.TranslationTable;
import dev.faultline.platform.machine.Machine;
import dev.faultline.platform.smmuv3.ContextDescriptor;
import dev.faultline.smmuv3.Stage2Tables;
import dev.faultline.viommu.GuestMemoryWindow;

/**
 * A guest's RAM as a VMM lays it out on the simulated machine: 16 MiB of host memory that stage 2 maps at
 * guest-physical 0, and what the guest's own driver writes there, in guest-physical addresses: one context
 * descriptor at IPA 0 and a 4-level stage-1 table.
 */
final class GuestRam {
    static final long SIZE = 16L << 20;
    /** A stage-1 page as arm_lpae_prot_to_pte writes it: AttrIndx 1, AP_UNPRIV, SH_IS, AF, nG (EL0/EL1 read/write). */
    private static final long READ_WRITE_PAGE = 0xf47;
    private static final long TABLE = 0x3;
    final GuestMemoryWindow window;
    final Stage2Tables stage2;
    final long stage1Root;
    private final Machine machine;
    private long nextFrame = 0x1000;

    GuestRam(Machine machine, boolean stall) {
        this.machine = machine;
        long base = machine.frames().allocate(SIZE, 2L << 20);
        window = new GuestMemoryWindow(machine.memory(), base, SIZE);
        TranslationTable s2 = TranslationTable.stage2(machine.frames(), 40);
        s2.map(0, base, SIZE, Protection.READ_WRITE);
        stage2 = Stage2Tables.of(s2);
        stage1Root = frame();
        long[] cd = ContextDescriptor.linux(48, 5, 1, stage1Root, stall).encode();
        for (int i = 0; i < cd.length; i++) {
            write(8L * i, cd[i]);
        }
    }

    /** A zeroed guest page (guest-physical address). */
    long frame() {
        long f = nextFrame;
        nextFrame += 0x1000;
        return f;
    }

    /** The guest maps {@code va} to a fresh page of its RAM, read/write, and returns that page's IPA. */
    long map(long va) {
        long table = stage1Root;
        for (int shift = 39; shift > 12; shift -= 9) {
            long slot = table + ((va >>> shift) & 0x1ff) * 8;
            long next = read(slot);
            if (next == 0) {
                next = frame() | TABLE;
                write(slot, next);
            }
            table = next & 0x0000_ffff_ffff_f000L;
        }
        long page = frame();
        write(table + ((va >>> 12) & 0x1ff) * 8, page | READ_WRITE_PAGE);
        return page;
    }

    long read(long ipa) {
        return window.read64(ipa);
    }

    void write(long ipa, long value) {
        machine.memory().write64(window.hostAddress(ipa), value);
    }
}
