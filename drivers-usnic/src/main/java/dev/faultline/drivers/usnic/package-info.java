/**
 * The usNIC driver, the minimal example of a driver bundle: a PCI device whose user memory registrations are
 * mapped into its own IOMMU domain, and no fault handler at all.
 *
 * <ul>
 *   <li>{@link dev.faultline.drivers.usnic.Usnic} ({@code @ProviderType}): the virtual function as a service.</li>
 *   <li>{@link dev.faultline.drivers.usnic.UsnicStatus}: its counters.</li>
 * </ul>
 *
 * <p>Consumers import {@code [1.0,2.0)}.
 */
@org.osgi.annotation.bundle.Export
@org.jspecify.annotations.NullMarked
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.faultline.drivers.usnic;
