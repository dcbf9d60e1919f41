package dev.faultline.smmuv3.internal;

import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permission;
import dev.faultline.api.fault.Permissions;
import dev.faultline.platform.smmuv3.PriEntry;

/**
 * Routes PRI queue entries (Linux {@code arm_smmu_handle_ppr}): a page request of a PRI stream goes to the core
 * (group id = PRG index, Last, R/W/X/Priv, PASID when SSV), a Stop Marker is dropped (never answered), and a
 * request of an unknown or non-PRI StreamID is printed and, when it is the last of its group, denied.
 *
 * <p>Used by the holder of the driver's queue pass only. Allocates nothing per entry except printed lines.
 */
final class PriRouter {
    private final Streams streams;
    private final PageResponses responses;
    private final EventPrinter printer;
    private volatile long pageRequestsReported;
    private volatile long stopMarkers;
    private volatile long unassignedRecords;

    PriRouter(Streams streams, PageResponses responses, EventPrinter printer) {
        this.streams = streams;
        this.responses = responses;
        this.printer = printer;
    }

    /** Routes one PRI queue entry. */
    void route(long dw0, long dw1) {
        int sid = (int) dw0;
        boolean ssv = (dw0 & PriEntry.PRIQ_0_SSID_V) != 0;
        boolean last = (dw0 & PriEntry.PRIQ_0_PRG_LAST) != 0;
        boolean read = (dw0 & PriEntry.PRIQ_0_PERM_READ) != 0;
        boolean write = (dw0 & PriEntry.PRIQ_0_PERM_WRITE) != 0;
        int ssid = (int) (dw0 >>> 32) & 0xfffff;
        int prgIndex = (int) (dw1 & PriEntry.PRIQ_1_PRG_IDX);
        if (ssv && last && !read && !write) {
            stopMarkers++; // never answered (PCIe Stop Marker)
            return;
        }
        Stream s = streams.bySid(sid);
        if (s == null || s.mode != FaultMode.PRI) {
            unassignedRecords++;
            printer.unexpectedPri(dw0, dw1);
            if (last) { // as Linux: deny, which stops PRI on the function
                responses.denyPageRequest(sid, ssv, ssid, prgIndex);
            }
            return;
        }
        int bits = (read ? Permission.READ.bit() : 0) | (write ? Permission.WRITE.bit() : 0)
                | ((dw0 & PriEntry.PRIQ_0_PERM_EXEC) != 0 ? Permission.EXEC.bit() : 0)
                | ((dw0 & PriEntry.PRIQ_0_PERM_PRIV) != 0 ? Permission.PRIV.bit() : 0);
        int flags = (last ? PageRequest.FLAG_LAST_PAGE : 0) | (ssv ? PageRequest.FLAG_RESPONSE_NEEDS_PASID : 0);
        pageRequestsReported++;
        s.port.reportPageRequest(ssv ? ssid : Pasid.NONE, prgIndex, flags, Permissions.of(bits),
                dw1 & PriEntry.PRIQ_1_ADDR_MASK, 0, 0);
    }

    long pageRequestsReported() {
        return pageRequestsReported;
    }

    long stopMarkers() {
        return stopMarkers;
    }

    long unassignedRecords() {
        return unassignedRecords;
    }
}
