package dev.faultline.api.backend;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Fault;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.UnrecoverableFault;
import dev.faultline.api.fault.HardwareRecord;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The core's handle for one device: where the backend reports the device's faults and records which domain
 * each of its PASIDs is attached to. The report methods take primitives so that a backend's fault thread
 * allocates nothing per fault; {@link #report(Fault)} takes values, for replay and tests.
 *
 * <p>Report methods are called from the IOMMU's fault thread; attach and detach from any thread.
 * Malformed input (a PASID wider than 20 bits, undefined flag bits) is never thrown back at the fault
 * thread: it is counted, and a last-page request is still answered {@code INVALID}.
 *
 * @since 1.0
 */
@ProviderType
public interface DevicePort {

    /** The device. */
    DeviceId id();

    /**
     * Records that {@code domain} translates the device's transactions with {@code pasid}
     * ({@link dev.faultline.api.fault.Pasid#NONE} for PASID-less ones). Replaces any earlier attachment, and
     * like {@link #detach} is a change of owner: the old owner's groups are answered before it returns.
     */
    void attach(int pasid, Domain domain);

    /**
     * Removes the attachment at {@code pasid}. A change of owner is a barrier: before this returns, the partial
     * requests of that PASID are discarded, every group formed under the old attachment and not yet answered
     * (deferred, queued, or in a handler call) is answered {@code INVALID} once, and any later answer to those
     * groups is refused, counted as stale and never sent. Groups of the device's other PASIDs are untouched.
     * Detaching {@link dev.faultline.api.fault.Pasid#NONE} also covers the PASIDs that fell back to a nested
     * PASID-less attachment. The backend drains its hardware queues of that PASID before it calls this.
     */
    void detach(int pasid);

    /**
     * Reports one page request ({@code iommu_report_device_fault}).
     *
     * @param pasid PASID or {@link dev.faultline.api.fault.Pasid#NONE}
     * @param groupId the group index (PRGI, STAG)
     * @param flags {@link PageRequest#FLAG_LAST_PAGE} and {@link PageRequest#FLAG_RESPONSE_NEEDS_PASID}
     *     ({@link PageRequest#FLAG_PASID_VALID} is implied by {@code pasid})
     * @param permissions the access
     * @param address the page address
     * @param privateData0 data to echo in the response
     * @param privateData1 more data to echo
     * @return what the core did with it
     */
    ReportOutcome reportPageRequest(int pasid, int groupId, int flags, Permissions permissions, long address,
            long privateData0, long privateData1);

    /**
     * Reports one unrecoverable fault.
     *
     * @param flags {@link UnrecoverableFault#PASID_VALID}, {@link UnrecoverableFault#ADDR_VALID},
     *     {@link UnrecoverableFault#FETCH_ADDR_VALID}
     * @param record the raw record, or {@link HardwareRecord#NONE}
     * @return what the core did with it
     */
    ReportOutcome reportUnrecoverable(int flags, int pasid, Permissions permissions, long address,
            long fetchAddress, HardwareRecord record);

    /**
     * Reports a fault value of this device.
     *
     * @throws IllegalArgumentException if the fault is another device's
     */
    default ReportOutcome report(Fault fault) {
        if (!fault.device().equals(id())) {
            throw new IllegalArgumentException("fault of " + fault.device() + " reported on " + id());
        }
        if (fault instanceof PageRequest p) {
            return reportPageRequest(p.pasid(), p.groupId(), p.flags(), p.permissions(), p.address(),
                    p.privateData0(), p.privateData1());
        }
        UnrecoverableFault u = (UnrecoverableFault) fault;
        return reportUnrecoverable(u.flags(), u.pasid(), u.permissions(), u.address(), u.fetchAddress(), u.record());
    }

    /**
     * Removes the device ({@code iopf_queue_remove_device}): discards its partials, answers its pending
     * groups {@code INVALID} (also one whose handler call is running: its answer is then refused as stale),
     * drops its attachments. Idempotent. Later reports are counted and rejected.
     */
    void remove();
}
