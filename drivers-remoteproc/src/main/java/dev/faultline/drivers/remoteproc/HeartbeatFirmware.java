package dev.faultline.drivers.remoteproc;

import java.util.List;

/**
 * A small firmware for the modelled core, and the carveouts it runs in: at each time slice it increments a
 * heartbeat in its data segment and writes it to an output buffer whose address the host can change through
 * a mailbox in shared memory. At start it sets the mailbox to its built-in default output address.
 *
 * <p>A bad address in the mailbox (a host bug) makes the firmware's next store fault in the IOMMU; recovery
 * reloads the image, which restores the default, so the processor runs again. An image built with a bad
 * default ({@link #image(String, long)}) faults at every start: a crash loop.
 *
 * <pre>
 * text+0x00  LOAD           data+0x08     acc = default output address
 * text+0x08  STORE          shared+0x08   mailbox = acc
 * text+0x10  LOAD_POINTER   shared+0x08   ptr = mailbox          (loop)
 * text+0x18  LOAD           data+0x00     acc = heartbeat
 * text+0x20  ADD            1
 * text+0x28  STORE          data+0x00     heartbeat = acc
 * text+0x30  STORE_INDIRECT               *ptr = acc
 * text+0x38  WAIT
 * text+0x40  JUMP           text+0x10
 * </pre>
 */
public final class HeartbeatFirmware {
    /** The default image name. */
    public static final String NAME = "heartbeat.mbn";
    /** Firmware text: read and execute. */
    public static final MemoryRegion TEXT = MemoryRegion.text("text", 0x0010_0000L, 0x1000);
    /** Firmware data: read and write. */
    public static final MemoryRegion DATA = MemoryRegion.data("data", 0x0020_0000L, 0x1000);
    /** Memory shared with the host: mailbox and output buffer. */
    public static final MemoryRegion SHARED = MemoryRegion.data("shared", 0x0030_0000L, 0x1000);
    /** The carveouts, in order. */
    public static final List<MemoryRegion> REGIONS = List.of(TEXT, DATA, SHARED);
    /** Where the firmware keeps its heartbeat count. */
    public static final long HEARTBEAT = DATA.deviceAddress();
    /** Where the firmware keeps its default output address. */
    public static final long DEFAULT_OUTPUT = DATA.deviceAddress() + 0x08;
    /** The mailbox: the output address the firmware uses, which the host may change. */
    public static final long MAILBOX = SHARED.deviceAddress() + 0x08;
    /** The default output buffer. */
    public static final long OUTPUT = SHARED.deviceAddress() + 0x100;
    /** The device address of the main loop. */
    public static final long LOOP = TEXT.deviceAddress() + 0x10;

    private HeartbeatFirmware() {
    }

    /** The working image, writing to {@link #OUTPUT}. */
    public static FirmwareImage image() {
        return image(NAME, OUTPUT);
    }

    /** An image called {@code name} whose default output address is {@code defaultOutput}. */
    public static FirmwareImage image(String name, long defaultOutput) {
        FirmwareSegment text = FirmwareSegment.ofWords(TEXT.deviceAddress(),
                Opcode.LOAD.encode(DEFAULT_OUTPUT),
                Opcode.STORE.encode(MAILBOX),
                Opcode.LOAD_POINTER.encode(MAILBOX),
                Opcode.LOAD.encode(HEARTBEAT),
                Opcode.ADD.encode(1),
                Opcode.STORE.encode(HEARTBEAT),
                Opcode.STORE_INDIRECT.encode(),
                Opcode.WAIT.encode(),
                Opcode.JUMP.encode(LOOP));
        FirmwareSegment data = FirmwareSegment.of(DATA.deviceAddress(),
                FirmwareSegment.ofWords(DATA.deviceAddress(), 0, defaultOutput).data(), DATA.size());
        return new FirmwareImage(name, TEXT.deviceAddress(), List.of(text, data));
    }
}
