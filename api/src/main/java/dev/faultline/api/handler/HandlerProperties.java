package dev.faultline.api.handler;

/**
 * Service properties of a {@link FaultHandler} registration: what it serves and how it is called.
 *
 * <p><b>Routing</b> (the core's lookup, O(1) per fault): a fault of device {@code D} with PASID {@code P}
 * goes to
 * <ol>
 *   <li>the handler of the domain attached to {@code (D, P)}; if nothing is attached at {@code P} and the
 *       device's PASID-less attachment is a nested (guest-owned) domain, that domain (Linux's vSMMU rule);
 *       PASID-less faults use the PASID-less attachment;</li>
 *   <li>else, unless that attachment is guest-owned (a guest's faults go to its vIOMMU or to nobody), the
 *       handler registered for {@link #DEVICE} {@code D} (optionally restricted by {@link #PASID});</li>
 *   <li>else nobody: a page request group is answered {@code INVALID}, and the fault is logged
 *       rate-limited (never when the device belongs to a guest).</li>
 * </ol>
 * Where several handlers serve the same target, the highest {@code service.ranking} wins, then the lowest
 * {@code service.id}.
 */
public final class HandlerProperties {
    /** {@code String+}: names of the domains the handler serves. */
    public static final String DOMAIN = "faultline.domain";
    /** {@code String+}: canonical {@link dev.faultline.api.fault.DeviceId} texts of the devices the handler serves. */
    public static final String DEVICE = "faultline.device";
    /** {@code Integer+}: with {@link #DEVICE}, only these PASIDs ({@code -1} for PASID-less faults). Absent: all. */
    public static final String PASID = "faultline.pasid";
    /** {@code Long}: milliseconds a deferred group may stay unanswered. Absent: the core's configured default. */
    public static final String TIMEOUT_MS = "faultline.timeout.ms";
    /** {@code String}: {@value #DISPATCH_INLINE} (default) or {@value #DISPATCH_QUEUED}. */
    public static final String DISPATCH = "faultline.dispatch";
    /** Called on the IOMMU's fault thread; must not block. The fastest path. */
    public static final String DISPATCH_INLINE = "inline";
    /** Called on a thread of the handler's own, through a bounded queue; may block (up to its deadline). */
    public static final String DISPATCH_QUEUED = "queued";

    private HandlerProperties() {
    }
}
