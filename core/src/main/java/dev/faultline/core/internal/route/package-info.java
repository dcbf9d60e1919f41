/**
 * Step 3, route: which handler serves a fault, in one volatile read.
 *
 * <ul>
 *   <li>{@link dev.faultline.core.internal.route.Attachment}: a domain attached at a device (and PASID), the
 *       owner's identity every group carries, holding the handler serving its domain now.</li>
 *   <li>{@link dev.faultline.core.internal.route.DomainRoute}: the handler serving one domain now, handed to the
 *       domain's live attachments at each change.</li>
 *   <li>{@link dev.faultline.core.internal.route.DeviceRoute}: the handlers registered for one device, per
 *       PASID.</li>
 *   <li>{@link dev.faultline.core.internal.route.HandlerIndex}: the whiteboard index that publishes both routes as
 *       handlers come, go, are refused or quarantined.</li>
 *   <li>{@link dev.faultline.core.internal.route.HandlerRegistration}: a registration's properties, validated
 *       (fail closed).</li>
 *   <li>{@link dev.faultline.core.internal.route.Ownership}: which bundle owns each target.</li>
 *   <li>{@link dev.faultline.core.internal.route.PasidMap}: an immutable PASID-keyed map read without
 *       boxing.</li>
 * </ul>
 */
package dev.faultline.core.internal.route;
