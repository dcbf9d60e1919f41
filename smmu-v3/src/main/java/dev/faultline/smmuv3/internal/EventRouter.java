package dev.faultline.smmuv3.internal;

import dev.faultline.api.backend.ReportOutcome;
import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permission;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.UnrecoverableFault;
import dev.faultline.platform.smmuv3.EventRecord;
import dev.faultline.platform.smmuv3.EventType;

/**
 * Routes event queue records (Linux {@code arm_smmu_handle_event}): a stall of a stalling stream becomes a
 * one-request page request group (group id = STAG), a stage-1 or CD fault of a guest-owned stream goes to the
 * guest with its raw record and is never printed, the host's faults of a guest's stream are printed under that
 * guest's limit, every other record of a known stream becomes an unrecoverable fault (printed when nobody handles
 * it), and a record of an unknown StreamID is printed, its stall terminated.
 *
 * <p>Used by the holder of the driver's queue pass only (single writer of the counters, which are volatile for
 * the shell). Allocates nothing per record except a guest's raw record and printed lines.
 */
final class EventRouter {
    private final Streams streams;
    private final PageResponses responses;
    private final EventPrinter printer;
    private volatile long stallsReported;
    private volatile long unrecoverableReported;
    private volatile long guestFaultsForwarded;
    private volatile long unassignedRecords;

    EventRouter(Streams streams, PageResponses responses, EventPrinter printer) {
        this.streams = streams;
        this.responses = responses;
        this.printer = printer;
    }

    /** Routes one event record. */
    void route(long dw0, long dw1, long dw2, long dw3) {
        int id = EventRecord.id(dw0);
        int sid = EventRecord.sid(dw0);
        boolean ssv = EventRecord.ssv(dw0);
        int pasid = ssv || id == EventType.C_BAD_SUBSTREAMID.id() ? EventRecord.ssid(dw0) : Pasid.NONE;
        boolean translationFault = id >= EventType.F_TRANSLATION.id() && id <= EventType.F_PERMISSION.id();
        boolean stall = translationFault && (dw1 & EventRecord.EVTQ_1_STALL) != 0;
        Stream s = streams.bySid(sid);
        if (s == null) {
            unassignedRecords++;
            if (stall) {
                responses.abortStall(sid, EventRecord.stag(dw1));
            }
            printer.event(dw0, dw1, dw2, dw3, null);
            return;
        }
        Permissions permissions = permissions(id, dw1);
        if (stall) {
            if (s.mode != FaultMode.STALL) {
                responses.abortStall(sid, EventRecord.stag(dw1));
                printer.event(dw0, dw1, dw2, dw3, s.client);
                return;
            }
            stallsReported++;
            ReportOutcome outcome = s.port.reportPageRequest(pasid, EventRecord.stag(dw1), PageRequest.FLAG_LAST_PAGE,
                    permissions, dw2, 0, 0);
            if (outcome == ReportOutcome.NO_HANDLER && !s.guestOwned) {
                printer.event(dw0, dw1, dw2, dw3, s.client);
            }
            return;
        }
        boolean s2 = (dw1 & EventRecord.EVTQ_1_S2) != 0;
        if (s.guestOwned) {
            if (s2 || !EventType.of(id).handledByLinux()) {
                // the host's own faults (stage 2, fetches): printed, under the guest's own limit
                Stream.Nested nested = s.nested();
                if (nested != null) {
                    printer.guestEvent(nested.domain().guest(), dw0, dw1, dw2, dw3, s.client);
                } else {
                    printer.event(dw0, dw1, dw2, dw3, s.client);
                }
                return;
            }
            guestFaultsForwarded++; // the guest's stage-1 / CD faults: to its vIOMMU, never printed here
            s.port.reportUnrecoverable(flags(id, pasid), pasid, permissions, address(id, dw2),
                    fetchAddress(id, dw3), HardwareRecord.of(EventRecord.FORMAT, dw0, dw1, dw2, dw3));
            return;
        }
        unrecoverableReported++;
        ReportOutcome outcome = s.port.reportUnrecoverable(flags(id, pasid), pasid, permissions, address(id, dw2),
                fetchAddress(id, dw3), HardwareRecord.NONE);
        if (outcome == ReportOutcome.NO_HANDLER || outcome == ReportOutcome.REJECTED) {
            printer.event(dw0, dw1, dw2, dw3, s.client);
        }
    }

    long stallsReported() {
        return stallsReported;
    }

    long unrecoverableReported() {
        return unrecoverableReported;
    }

    long guestFaultsForwarded() {
        return guestFaultsForwarded;
    }

    long unassignedRecords() {
        return unassignedRecords;
    }

    private static int flags(int id, int pasid) {
        return (pasid != Pasid.NONE ? UnrecoverableFault.PASID_VALID : 0)
                | (hasInputAddress(id) ? UnrecoverableFault.ADDR_VALID : 0)
                | (hasFetchAddress(id) ? UnrecoverableFault.FETCH_ADDR_VALID : 0);
    }

    private static long address(int id, long dw2) {
        return hasInputAddress(id) ? dw2 : 0;
    }

    private static long fetchAddress(int id, long dw3) {
        return hasFetchAddress(id) ? dw3 & EventRecord.EVTQ_3_FETCH_ADDR : 0;
    }

    /** RnW/InD/PnU as Linux permissions, for the events that carry them. */
    private static Permissions permissions(int id, long dw1) {
        if (!hasInputAddress(id)) {
            return Permissions.NONE;
        }
        int bits = ((dw1 & EventRecord.EVTQ_1_RNW) != 0 ? Permission.READ.bit() : Permission.WRITE.bit())
                | ((dw1 & EventRecord.EVTQ_1_IND) != 0 ? Permission.EXEC.bit() : 0)
                | ((dw1 & EventRecord.EVTQ_1_PNU) != 0 ? Permission.PRIV.bit() : 0);
        return Permissions.of(bits);
    }

    /** Events whose dword 2 is the transaction's input address (IHI 0070 §7.3.2-7.3.21). */
    private static boolean hasInputAddress(int id) {
        return id >= EventType.F_TRANSLATION.id() && id <= EventType.F_PERMISSION.id()
                || id == EventType.F_WALK_EABT.id() || id == EventType.F_UUT.id()
                || id == EventType.F_TRANSL_FORBIDDEN.id() || id == EventType.F_BAD_ATS_TREQ.id();
    }

    /** Events whose dword 3 is a fetch address. */
    private static boolean hasFetchAddress(int id) {
        return id == EventType.F_STE_FETCH.id() || id == EventType.F_CD_FETCH.id()
                || id == EventType.F_VMS_FETCH.id() || id == EventType.F_WALK_EABT.id();
    }
}
