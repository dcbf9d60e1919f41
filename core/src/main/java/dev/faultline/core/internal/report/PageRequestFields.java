package dev.faultline.core.internal.report;

import dev.faultline.api.fault.Permissions;
import org.jspecify.annotations.Nullable;

/**
 * The fields of one reported page request as a value, for the slow paths (a rejected report, which is still
 * answered). The fast path passes the same fields as primitives, always in this order: PASID, group id, flags,
 * permissions, address, private data 0 and 1 ({@code DevicePort.reportPageRequest}'s order).
 *
 * @param pasid the PASID, or {@link dev.faultline.api.fault.Pasid#NONE}
 * @param groupId the page request group index (PRGI)
 * @param flags {@link dev.faultline.api.fault.PageRequest} flags
 * @param permissions the access requested, or {@code null} when the backend gave none
 * @param address the faulting address
 * @param privateData0 private data echoed in the response
 * @param privateData1 private data echoed in the response
 */
record PageRequestFields(int pasid, int groupId, int flags, @Nullable Permissions permissions, long address, long privateData0,
        long privateData1) {
}
