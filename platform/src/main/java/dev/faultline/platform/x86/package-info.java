/**
 * x86-64 4-level paging as VT-d first-level translation uses it (VT-d first-level paging, VT-d first-level faults).
 *
 * <ul>
 *   <li>{@link dev.faultline.platform.x86.FirstLevelPageTable}: builds a table in physical memory; map, unmap,
 *       protect ranges with 4 KiB, 2 MiB and 1 GiB pages.</li>
 *   <li>{@link dev.faultline.platform.x86.FirstLevelWalker}: the hardware walk, bit-exact, with A/D updates;
 *       returns a {@link dev.faultline.platform.x86.WalkResult} naming the
 *       {@link dev.faultline.platform.x86.WalkFault} and the level, or writes the same into a reusable
 *       {@link dev.faultline.platform.x86.WalkOutcome}.</li>
 *   <li>{@link dev.faultline.platform.x86.PagingEntry}, {@link dev.faultline.platform.x86.PagingLevel},
 *       {@link dev.faultline.platform.x86.PageProtection}: entry bits, levels, leaf permissions.</li>
 * </ul>
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
@org.jspecify.annotations.NullMarked
package dev.faultline.platform.x86;
