package dev.faultline.drivers.usnic.internal;

import dev.faultline.api.fault.Pasid;
import dev.faultline.drivers.usnic.Usnic;
import dev.faultline.drivers.usnic.UsnicStatus;
import dev.faultline.platform.dma.DmaDevice;
import dev.faultline.platform.dma.DmaResult;
import dev.faultline.platform.memory.FrameAllocator;
import dev.faultline.platform.memory.PhysicalMemory;
import dev.faultline.platform.x86.FirstLevelPageTable;
import dev.faultline.platform.x86.PageProtection;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * The usNIC VF model: a protection domain whose first-level table (x86-64 4-level, as VT-d walks it in
 * scalable mode) maps the registered user buffers, and a NIC that moves words by DMA through it. No fault
 * handling of its own.
 *
 * <p>Thread-safe.
 */
public final class UsnicDevice implements Usnic {
    private final String device;
    private final String domain;
    private final DmaDevice dma;
    private final Duration dmaTimeout;
    private final FrameAllocator frames;
    private final FirstLevelPageTable table;
    private final Map<Long, long[]> registrations = new TreeMap<>();
    private long completed;
    private long failed;

    /**
     * A VF called {@code device} whose PD is {@code domain}, translating through {@code table} (which the
     * caller attaches to the device), with pinned pages from {@code frames}.
     */
    public UsnicDevice(String device, String domain, DmaDevice dma, Duration dmaTimeout, FrameAllocator frames,
            FirstLevelPageTable table) {
        this.device = device;
        this.domain = domain;
        this.dma = dma;
        this.dmaTimeout = dmaTimeout;
        this.frames = frames;
        this.table = table;
    }

    @Override
    public synchronized UsnicStatus status() {
        return new UsnicStatus(device, domain, registrations.size(), completed, failed);
    }

    @Override
    public synchronized void register(long va, long length, boolean writable) {
        if ((va & 0xfff) != 0 || length <= 0 || (length & 0xfff) != 0) {
            throw new IllegalArgumentException(String.format(
                    "registration [0x%x, +0x%x) must be whole 4 KiB pages", va, length));
        }
        for (Map.Entry<Long, long[]> r : registrations.entrySet()) {
            if (va < r.getKey() + r.getValue()[0] && r.getKey() < va + length) {
                throw new IllegalArgumentException(String.format(
                        "registration at 0x%x overlaps the one at 0x%x", va, r.getKey()));
            }
        }
        long pa = frames.allocate(length, PhysicalMemory.PAGE_SIZE);
        table.map(va, pa, length, writable ? PageProtection.READ_WRITE : PageProtection.READ_ONLY);
        registrations.put(va, new long[] {length, pa});
    }

    @Override
    public synchronized boolean deregister(long va) {
        long[] r = registrations.remove(va);
        if (r == null) {
            return false;
        }
        table.unmap(va, r[0]);
        return true;
    }

    @Override
    public boolean receive(long va, long value) {
        byte[] bytes = new byte[Long.BYTES];
        for (int i = 0; i < Long.BYTES; i++) {
            bytes[i] = (byte) (value >>> (8 * i));
        }
        return count(dma.write(Pasid.NONE, va, bytes, dmaTimeout)).completed();
    }

    @Override
    public OptionalLong transmit(long va) {
        DmaResult r = count(dma.read(Pasid.NONE, va, Long.BYTES, dmaTimeout));
        if (!r.completed()) {
            return OptionalLong.empty();
        }
        byte[] b = r.data();
        long v = 0;
        for (int i = Long.BYTES - 1; i >= 0; i--) {
            v = v << 8 | (b[i] & 0xff);
        }
        return OptionalLong.of(v);
    }

    /** Unmaps every registration. */
    public synchronized void release() {
        for (Map.Entry<Long, long[]> r : registrations.entrySet()) {
            table.unmap(r.getKey(), r.getValue()[0]);
        }
        registrations.clear();
    }

    private synchronized DmaResult count(DmaResult r) {
        if (r.completed()) {
            completed++;
        } else {
            failed++;
        }
        return r;
    }
}
