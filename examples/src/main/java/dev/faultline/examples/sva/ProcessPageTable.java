package dev.faultline.examples.sva;

import dev.faultline.api.fault.Permissions;
import dev.faultline.platform.arm.Protection;
import dev.faultline.platform.arm.TranslationTable;
import dev.faultline.platform.x86.FirstLevelPageTable;
import dev.faultline.platform.x86.PageProtection;
import java.util.OptionalLong;
import org.osgi.annotation.versioning.ConsumerType;

/** The page table of a process address space that a device shares, as the {@link DemandPager} writes it. */
@ConsumerType
public interface ProcessPageTable {
    /** The page size mapped. */
    long PAGE_SIZE = 4096;

    /** Maps the page at {@code va} to the frame at {@code pa} for the accesses in {@code permissions}. */
    void map(long va, long pa, Permissions permissions);

    /**
     * Sets the permissions of the page at {@code va}, already mapped, keeping its frame (the pager makes a
     * read-only page writable when the device writes it).
     */
    void protect(long va, Permissions permissions);

    /** The frame the page at {@code va} is mapped to, if it is. */
    OptionalLong frame(long va);

    /** A VMSAv8-64 stage-1 table (the SMMUv3 context descriptor's TTB0): user pages, execute-never unless asked. */
    static ProcessPageTable arm(TranslationTable table) {
        return new ProcessPageTable() {
            @Override
            public void map(long va, long pa, Permissions permissions) {
                table.map(va, pa, PAGE_SIZE, armProtection(permissions));
            }

            @Override
            public void protect(long va, Permissions permissions) {
                table.protect(va, PAGE_SIZE, armProtection(permissions));
            }

            @Override
            public OptionalLong frame(long va) {
                return table.lookup(va);
            }
        };
    }

    /** An x86-64 first-level table (the VT-d PASID entry's FLPTR): user pages. */
    static ProcessPageTable x86(FirstLevelPageTable table) {
        return new ProcessPageTable() {
            @Override
            public void map(long va, long pa, Permissions permissions) {
                table.map(va, pa, PAGE_SIZE, new PageProtection(permissions.write(), true, permissions.exec()));
            }

            @Override
            public void protect(long va, Permissions permissions) {
                table.protect(va, PAGE_SIZE, new PageProtection(permissions.write(), true, permissions.exec()));
            }

            @Override
            public OptionalLong frame(long va) {
                return table.translate(va);
            }
        };
    }

    /** A user page's VMSAv8-64 protection: always readable, writable if asked, execute-never unless asked. */
    private static int armProtection(Permissions permissions) {
        int prot = Protection.READ | Protection.CACHE;
        prot |= permissions.write() ? Protection.WRITE : 0;
        return prot | (permissions.exec() ? 0 : Protection.NOEXEC);
    }
}
