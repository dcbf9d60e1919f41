package dev.faultline.api.handler;

import java.util.List;

/**
 * Service properties of a {@link FaultHandler} registration: what it serves and how it is called.
 *
 * <p><b>Fail closed.</b> The core reads every {@code faultline.*} property of a registration. A malformed value
 * (a device id that does not parse, a PASID outside 20 bits, a timeout that is not a number, an unknown dispatch
 * mode), an unknown {@code faultline.*} property, a {@link #PASID} without {@link #DEVICE}, or a registration that
 * names no target refuses the <em>whole</em> registration: it receives nothing, is logged as an error naming the
 * property and the expected form, and is listed {@code REFUSED} with that reason by {@code faultline:handlers}.
 * Nothing is ever dropped from a registration to make it usable, so a bad restriction can never widen what a
 * handler receives.
 *
 * <p><b>Ownership.</b> A device or domain belongs to one bundle: the one configured as its owner (core
 * configuration {@code owners}), else the first bundle that registers a handler for it; the claim holds while that
 * bundle has a registration for it and for the core's hand-over window after its last one left, so an updated
 * bundle gets its targets back. A registration by another bundle for an owned target is refused (state
 * {@code REFUSED}, the owner named in the reason) and is reconsidered when the claim lapses. A domain attached as a
 * guest-owned ({@code NESTED}) domain is served only by that guest's vIOMMU: a registration with {@link #GUEST}
 * equal to the domain's guest, from a bundle the core trusts with guests ({@code guest.handlers}).
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
 * Where several allowed handlers (all of the owner) serve the same target, the highest {@code service.ranking}
 * wins, then the lowest {@code service.id}; {@code faultline:handlers} shows which serves and which stands by.
 */
public final class HandlerProperties {
    /** {@code String+}: names of the domains the handler serves. */
    public static final String DOMAIN = "faultline.domain";
    /** {@code String+}: canonical {@link dev.faultline.api.fault.DeviceId} texts of the devices the handler serves. */
    public static final String DEVICE = "faultline.device";
    /** {@code Integer+}: with {@link #DEVICE}, only these PASIDs ({@code -1} for PASID-less faults). Absent: all. */
    public static final String PASID = "faultline.pasid";
    /**
     * {@code Long}: milliseconds a held (deferred or queued) group, or an inline call, may stay unanswered before the
     * core answers on the handler's behalf. Absent or {@code 0}: the core's configured default;
     * {@value #NO_DEADLINE}: no deadline at all (the handler promises to answer every group itself).
     */
    public static final String TIMEOUT_MS = "faultline.timeout.ms";
    /** The {@link #TIMEOUT_MS} value that disables the deadline of the handler's groups. */
    public static final long NO_DEADLINE = -1;
    /** {@code String}: {@value #DISPATCH_INLINE} (default) or {@value #DISPATCH_QUEUED}. */
    public static final String DISPATCH = "faultline.dispatch";
    /** Called on the IOMMU's fault thread; must not block. The fastest path. */
    public static final String DISPATCH_INLINE = "inline";
    /** Called on a thread of the handler's own, through a bounded queue; may block (up to its deadline). */
    public static final String DISPATCH_QUEUED = "queued";
    /**
     * {@code String}: the guest whose virtual IOMMU this handler is. Required (and only allowed with
     * {@link #DOMAIN}) to serve a guest-owned domain of that guest.
     *
     * @since 1.1
     */
    public static final String GUEST = "faultline.guest";
    /**
     * The {@code faultline.*} properties the core knows; any other {@code faultline.*} property refuses the
     * registration.
     *
     * @since 1.1
     */
    public static final List<String> KNOWN = List.of(DOMAIN, DEVICE, PASID, TIMEOUT_MS, DISPATCH, GUEST);

    private HandlerProperties() {
    }
}
