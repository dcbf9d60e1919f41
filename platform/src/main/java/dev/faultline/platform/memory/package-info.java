/**
 * The simulated machine's physical memory.
 *
 * <ul>
 *   <li>{@link dev.faultline.platform.memory.PhysicalMemory}: sparse, paged, little-endian, thread-safe.</li>
 *   <li>{@link dev.faultline.platform.memory.FrameAllocator}: hands out zeroed 4 KiB frames for tables and queues.</li>
 * </ul>
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
@org.jspecify.annotations.NullMarked
package dev.faultline.platform.memory;
