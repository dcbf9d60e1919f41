/**
 * VMSAv8-64 translation tables with the 4 KiB granule (Arm ARM VMSAv8-64): what an SMMUv3 walks for stage 1 and
 * stage 2.
 *
 * <ul>
 *   <li>{@link dev.faultline.platform.arm.TranslationTable}: builds tables in physical memory (map, unmap,
 *       protect) as {@code io-pgtable-arm} does; used by demand-paging handlers and tests.</li>
 *   <li>{@link dev.faultline.platform.arm.TableWalker}: walks them bit-exactly and returns a
 *       {@link dev.faultline.platform.arm.WalkResult}: the output address, or the
 *       {@link dev.faultline.platform.arm.FaultKind} and level of the first fault.</li>
 *   <li>{@link dev.faultline.platform.arm.WalkParameters}, {@link dev.faultline.platform.arm.Stage},
 *       {@link dev.faultline.platform.arm.TableAddressTranslator} (nested walks).</li>
 *   <li>{@link dev.faultline.platform.arm.Descriptor}, {@link dev.faultline.platform.arm.Protection}: descriptor
 *       bits and Linux {@code IOMMU_*} protections.</li>
 * </ul>
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
@org.jspecify.annotations.NullMarked
package dev.faultline.platform.arm;
