/**
 * A guest's virtual IOMMU outside an OSGi framework, for simulations, tools and tests on a plain class path:
 * {@link dev.faultline.viommu.standalone.StandaloneGuest}, a guest's vIOMMU with its guest-programmed virtual
 * SMMUv3. In a framework, open guests through the {@code VirtualIommus} service instead.
 */
@org.osgi.annotation.bundle.Export
@org.jspecify.annotations.NullMarked
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.faultline.viommu.standalone;
