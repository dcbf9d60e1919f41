/**
 * Example: shared virtual addressing (SVA) with demand paging. A process address space is shared with a
 * device; pages are mapped the first time the device touches them, as a CPU's page fault handler would.
 *
 * <ul>
 *   <li>{@link dev.faultline.examples.sva.DemandPager}: the handler; maps each requested page inside the
 *       process's mapped area in the device's page table (or makes a read-only page writable), answers
 *       {@code SUCCESS}, and {@code INVALID} outside it or without a PASID, as Linux's SVA handler does.</li>
 *   <li>{@link dev.faultline.examples.sva.ProcessPageTable} ({@code @ConsumerType}): where the pager writes
 *       and upgrades a mapping, with adapters for the platform's VMSAv8-64 stage-1 table (SMMUv3) and x86-64 first-level
 *       table (VT-d).</li>
 * </ul>
 */
@org.osgi.annotation.bundle.Export
@org.jspecify.annotations.NullMarked
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.faultline.examples.sva;
