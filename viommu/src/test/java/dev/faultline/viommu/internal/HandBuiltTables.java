package dev.faultline.viommu.internal;

import dev.faultline.platform.memory.PhysicalMemory;
import dev.faultline.viommu.GuestMemoryWindow;

/**
 * Guest RAM with tables written descriptor by descriptor, as a test spells them out: {@link #chain} links one
 * table per level along an address's walk and returns where the last descriptor goes.
 */
final class HandBuiltTables {
    /** 64 MiB of guest RAM at host physical 0x4000_0000. */
    static final long RAM = 64L << 20;
    final PhysicalMemory host = new PhysicalMemory();
    final GuestMemoryWindow guest = new GuestMemoryWindow(host, 0x4000_0000L, RAM);
    private long nextTable = 0x10_0000;

    /** A fresh zeroed 4 KiB table in guest RAM (guest-physical address). */
    long table() {
        long t = nextTable;
        nextTable += 0x1000;
        return t;
    }

    void write(long ipa, long value) {
        host.write64(guest.hostAddress(ipa), value);
    }

    long read(long ipa) {
        return guest.read64(ipa);
    }

    /**
     * Links fresh tables from {@code root} (at {@code firstShift}) down to the table at {@code lastShift} along
     * {@code address}'s walk, each link being {@code next | linkBits}; returns the guest address of the entry
     * for {@code address} in the last table.
     */
    long chain(long root, long address, int firstShift, int lastShift, long linkBits) {
        long table = root;
        for (int shift = firstShift; shift > lastShift; shift -= 9) {
            long next = table();
            write(entry(table, address, shift), next | linkBits);
            table = next;
        }
        return entry(table, address, lastShift);
    }

    static long entry(long table, long address, int shift) {
        return table + ((address >>> shift) & 0x1ff) * 8;
    }
}
