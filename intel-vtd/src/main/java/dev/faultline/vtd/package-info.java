/**
 * The Intel VT-d backend's API: attach devices and PASIDs to domains with their first-level tables.
 *
 * <ul>
 *   <li>{@link dev.faultline.vtd.VtdIommu} ({@code @ProviderType}): one remapping unit driven by the backend,
 *       an OSGi service per unit.</li>
 * </ul>
 *
 * <p>Consumers import {@code [1.0,2.0)}; providers {@code [1.0,1.1)}.
 */
@org.osgi.annotation.bundle.Export
@org.jspecify.annotations.NullMarked
@org.osgi.annotation.versioning.Version("1.1.0")
package dev.faultline.vtd;
