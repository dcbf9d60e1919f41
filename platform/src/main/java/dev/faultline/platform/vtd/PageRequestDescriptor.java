package dev.faultline.platform.vtd;

import dev.faultline.api.fault.Pasid;
import dev.faultline.platform.dma.PageRequestMessage;

/**
 * One 32-byte page request descriptor of the page request queue (VT-d page request descriptor; Linux
 * {@code struct page_req_dsc}).
 *
 * <p>qw0: type [7:0] = 1, PP bit 8, PDP bit 9, RID [31:16], PASID [51:32], ER bit 52, PMR bit 53.
 * qw1: RDR bit 0, WRR bit 1, LPIG bit 2, PRGI [11:3], page address [63:12] in place. qw2, qw3: private data.
 *
 * @param requesterId RID
 * @param pasidPresent PP
 * @param pasid the PASID field, 20 bits
 * @param execute ER, execute requested
 * @param privileged PMR, privilege-mode requested
 * @param read RDR
 * @param write WRR
 * @param lastInGroup LPIG
 * @param groupIndex PRGI, 9 bits
 * @param address the page address, 4 KiB aligned
 * @param privateDataPresent PDP
 * @param privateData0 qw2
 * @param privateData1 qw3
 */
public record PageRequestDescriptor(int requesterId, boolean pasidPresent, int pasid, boolean execute,
        boolean privileged, boolean read, boolean write, boolean lastInGroup, int groupIndex, long address,
        boolean privateDataPresent, long privateData0, long privateData1) {

    /** Descriptor size in bytes. */
    public static final int SIZE = 32;
    /** The type field of a page request descriptor. */
    public static final int TYPE = 0x01;

    /**
     * Validates the fields.
     *
     * @throws IllegalArgumentException for a field wider than its bits or an unaligned address
     */
    public PageRequestDescriptor {
        Capability.check("RID", requesterId, 0xffff);
        Capability.check("PASID", pasid, 0xfffff);
        Capability.check("PRGI", groupIndex, 0x1ff);
        if ((address & 0xfff) != 0) {
            throw new IllegalArgumentException(String.format("page address 0x%x is not 4 KiB aligned", address));
        }
    }

    /** The descriptor the hardware writes for a PCIe page request message (no private data). */
    public static PageRequestDescriptor of(PageRequestMessage message) {
        boolean pp = message.hasPasid();
        return new PageRequestDescriptor(message.requesterId(), pp, pp ? message.pasid() : 0, message.execute(),
                message.privileged(), message.read(), message.write(), message.last(), message.prgIndex(),
                message.pageAddress(), false, 0, 0);
    }

    /** Reads the four qwords. Does not check the type field (see {@link #type(long)}). */
    public static PageRequestDescriptor decode(long qw0, long qw1, long qw2, long qw3) {
        return new PageRequestDescriptor((int) (qw0 >>> 16) & 0xffff, (qw0 >>> 8 & 1) != 0,
                (int) (qw0 >>> 32) & 0xfffff, (qw0 >>> 52 & 1) != 0, (qw0 >>> 53 & 1) != 0, (qw1 & 1) != 0,
                (qw1 >>> 1 & 1) != 0, (qw1 >>> 2 & 1) != 0, (int) (qw1 >>> 3) & 0x1ff, qw1 & ~0xfffL,
                (qw0 >>> 9 & 1) != 0, qw2, qw3);
    }

    /** The type field [7:0] of a descriptor's qw0. */
    public static int type(long qw0) {
        return (int) qw0 & 0xff;
    }

    /** qw0. */
    public long qw0() {
        return qw0(requesterId, pasidPresent, pasid, execute, privileged, privateDataPresent);
    }

    /** qw1. */
    public long qw1() {
        return qw1(read, write, lastInGroup, groupIndex, address);
    }

    /** qw0 of {@link #of(PageRequestMessage) the descriptor for} {@code message}, without building it. */
    static long qw0(PageRequestMessage message) {
        boolean pp = message.hasPasid();
        return qw0(message.requesterId(), pp, pp ? message.pasid() : 0, message.execute(), message.privileged(),
                false);
    }

    /** qw1 of {@link #of(PageRequestMessage) the descriptor for} {@code message}, without building it. */
    static long qw1(PageRequestMessage message) {
        return qw1(message.read(), message.write(), message.last(), message.prgIndex(), message.pageAddress());
    }

    private static long qw0(int requesterId, boolean pasidPresent, int pasid, boolean execute, boolean privileged,
            boolean privateDataPresent) {
        return TYPE | Capability.bit(pasidPresent, 8) | Capability.bit(privateDataPresent, 9)
                | (long) requesterId << 16 | (long) pasid << 32 | Capability.bit(execute, 52)
                | Capability.bit(privileged, 53);
    }

    private static long qw1(boolean read, boolean write, boolean lastInGroup, int groupIndex, long address) {
        return Capability.bit(read, 0) | Capability.bit(write, 1) | Capability.bit(lastInGroup, 2)
                | (long) groupIndex << 3 | address;
    }

    /** The PASID, or {@link Pasid#NONE} without PP. */
    public int pasidOrNone() {
        return pasidPresent ? pasid : Pasid.NONE;
    }

    /** A Stop Marker: LPIG with neither read nor write (VT-d page request descriptor, PCIe Stop Marker). */
    public boolean stopMarker() {
        return lastInGroup && !read && !write;
    }

    /**
     * The {@code prq_report} trace text ({@code decode_prq_descriptor}), e.g.
     * {@code rid=0x300 addr=0x7f0000401 rw--l pasid=0x5 index=0x12}; {@code addr} is the page number.
     */
    public String traceText() {
        String text = String.format("rid=0x%x addr=0x%x %c%c%c%c%c pasid=0x%x index=0x%x", requesterId,
                address >>> 12, read ? 'r' : '-', write ? 'w' : '-', execute ? 'x' : '-', privileged ? 'p' : '-',
                lastInGroup ? 'l' : '-', pasid, groupIndex);
        return privateDataPresent ? text + String.format(" private=0x%x/0x%x", privateData0, privateData1) : text;
    }
}
