package dev.faultline.viommu.internal;

import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.viommu.ArmStage1Context;
import dev.faultline.viommu.ArmStage1Fault;
import dev.faultline.viommu.FaultReason;
import dev.faultline.viommu.FirstLevelContext;
import dev.faultline.viommu.FirstLevelFault;
import dev.faultline.viommu.Stage1Context;
import dev.faultline.viommu.UnresolvedFault;

/**
 * Builds the hardware record a guest's own IOMMU driver parses, in one of two modes.
 *
 * <p><b>Permissions-only</b> ({@link #permissionsOnly}, the default): the record is made from the access
 * permissions, the address, the PASID and the reason the vIOMMU derived by walking the guest's tables, in the
 * format of the guest's architecture; no word of the host's record, and no host reason code, is used. A walk
 * that now succeeds (the guest changed its tables after the fault) is recorded as the architecture's
 * translation fault (SMMUv3 F_TRANSLATION, VT-d 0x71), since the access found no usable translation when it
 * was made. A fault without a stage-1 context or without an address has no record in the guest's format.
 *
 * <p><b>Raw</b> ({@link #raw}, upstream's vEVENTQ): a record from the host's backend is kept but made the
 * guest's: an SMMUv3 event record gets the virtual stream id in dword 0 [63:32], as Linux's
 * {@code arm_vmaster_report_event} does, and loses any host physical fetch address; a VT-d fault record gets
 * the virtual requester id in its SID field. Without a usable host record, the permissions-only record is
 * given.
 *
 * <p>Stateless and thread-safe.
 */
final class VirtualRecords {
    /** The backend's name for a 4-dword SMMUv3 event record. */
    static final String SMMUV3_EVENT = "smmuv3-event";
    /** The backend's name for a 2-qword VT-d fault recording register. */
    static final String VTD_FRCD = "vtd-frcd";

    // SMMUv3 event record (IHI 0070 §7.3.2-7.3.21; Linux EVTQ_*)
    private static final long EVT0_ID = 0xffL;
    private static final long EVT0_SSV = 1L << 11;
    private static final int EVT0_SSID_SHIFT = 12;
    private static final int EVT0_SID_SHIFT = 32;
    private static final long EVT0_SID = 0xffff_ffffL << EVT0_SID_SHIFT;
    private static final long EVT1_PNU = 1L << 33;
    private static final long EVT1_IND = 1L << 34;
    private static final long EVT1_RNW = 1L << 35;
    private static final int EVT1_CLASS_SHIFT = 40;
    /** CLASS TT: the fault was on a stage-1 table walk access. */
    private static final long CLASS_TT = 1;
    /** CLASS IN: the transaction's own input address faulted. */
    private static final long CLASS_IN = 2;
    /** EVTQ_3_FETCH_ADDR: dword 3 bits [55:3]; Linux masks [51:3]. */
    private static final long EVT3_FETCH_ADDR = 0x00ff_ffff_ffff_fff8L;
    /** Events whose dword 3 is a fetch address: F_STE_FETCH, F_CD_FETCH, F_WALK_EABT, F_VMS_FETCH. */
    private static final int[] FETCH_EVENTS = {0x03, 0x09, 0x0b, 0x25};

    // VT-d FRCD, as two qwords: word 1 holds record bits [127:64]
    private static final long FRCD0_FI = 0xffff_ffff_ffff_f000L;
    private static final long FRCD1_SID = 0xffffL;
    private static final long FRCD1_PRIV = 1L << (93 - 64);
    private static final long FRCD1_EXE = 1L << (94 - 64);
    private static final long FRCD1_PP = 1L << (95 - 64);
    private static final int FRCD1_FR_SHIFT = 96 - 64;
    private static final int FRCD1_PV_SHIFT = 104 - 64;
    /** T1: 1 = read, 0 = write. */
    private static final long FRCD1_T1 = 1L << (126 - 64);
    private static final long FRCD1_F = 1L << (127 - 64);

    private VirtualRecords() {
    }

    /**
     * The record the guest gets in permissions-only mode: made from the derived reason alone.
     *
     * @param context the stage-1 context walked, or null if the guest has none (it names the architecture)
     * @param reason the derived reason
     * @param fetchAddress the guest-physical address of the descriptor the walk failed on, or -1
     * @return the guest's record, or {@link HardwareRecord#NONE} if the reason has no record in the guest's
     *     format (no context, no address) or the virtual id does not fit a VT-d requester id
     */
    static HardwareRecord permissionsOnly(Stage1Context context, int virtualDevice, int pasid,
            Permissions permissions, boolean addressValid, long address, FaultReason reason, long fetchAddress) {
        FaultReason recorded = reason;
        if (reason == UnresolvedFault.WALK_SUCCEEDS && context instanceof ArmStage1Context) {
            recorded = ArmStage1Fault.TRANSLATION;
        } else if (reason == UnresolvedFault.WALK_SUCCEEDS && context instanceof FirstLevelContext) {
            recorded = FirstLevelFault.NOT_PRESENT;
        }
        if (recorded instanceof ArmStage1Fault arm) {
            return smmuEvent(arm, virtualDevice, pasid, permissions, addressValid ? address : 0, fetchAddress);
        }
        if (recorded instanceof FirstLevelFault firstLevel && fitsRequesterId(virtualDevice)) {
            return faultRecord(firstLevel, virtualDevice, pasid, permissions, addressValid ? address : 0);
        }
        return HardwareRecord.NONE;
    }

    /**
     * The record the guest gets in raw mode: the host's record with the device id made the guest's.
     *
     * @param host the backend's record, or {@link HardwareRecord#NONE}
     * @return the rewritten host record; the {@linkplain #permissionsOnly permissions-only} record if the host
     *     gave none in a known format; {@link HardwareRecord#NONE} for a VT-d record and a virtual id wider
     *     than 16 bits
     */
    static HardwareRecord raw(HardwareRecord host, Stage1Context context, int virtualDevice, int pasid,
            Permissions permissions, boolean addressValid, long address, FaultReason reason, long fetchAddress) {
        if (SMMUV3_EVENT.equals(host.format()) && host.size() == 4) {
            long[] words = host.words();
            words[0] = (words[0] & ~EVT0_SID) | ((virtualDevice & 0xffff_ffffL) << EVT0_SID_SHIFT);
            if (carriesFetchAddress((int) (words[0] & EVT0_ID))) {
                words[3] = fetchAddress >= 0 ? fetchAddress & EVT3_FETCH_ADDR : 0;
            }
            return HardwareRecord.of(SMMUV3_EVENT, words);
        }
        if (VTD_FRCD.equals(host.format()) && host.size() == 2) {
            if (!fitsRequesterId(virtualDevice)) {
                return HardwareRecord.NONE;
            }
            return HardwareRecord.of(VTD_FRCD, host.word(0), (host.word(1) & ~FRCD1_SID) | virtualDevice);
        }
        return permissionsOnly(context, virtualDevice, pasid, permissions, addressValid, address, reason,
                fetchAddress);
    }

    /** The architecture code a host record reports (SMMUv3 event number, VT-d fault reason), or -1. */
    static int hostCode(HardwareRecord host) {
        if (SMMUV3_EVENT.equals(host.format()) && host.size() == 4) {
            return (int) (host.word(0) & EVT0_ID);
        }
        if (VTD_FRCD.equals(host.format()) && host.size() == 2) {
            return (int) (host.word(1) >>> FRCD1_FR_SHIFT) & 0xff;
        }
        return -1;
    }

    /** An SMMUv3 stage-1 event record (S2 = 0, Stall = 0) for a derived walk failure. */
    static HardwareRecord smmuEvent(ArmStage1Fault fault, int streamId, int pasid, Permissions permissions,
            long address, long fetchAddress) {
        long dw0 = fault.code() | ((streamId & 0xffff_ffffL) << EVT0_SID_SHIFT);
        if (pasid != Pasid.NONE) {
            dw0 |= EVT0_SSV | ((long) pasid << EVT0_SSID_SHIFT);
        }
        boolean tableWalk = fault == ArmStage1Fault.WALK_EXTERNAL_ABORT;
        long dw1 = (permissions.priv() ? EVT1_PNU : 0) | (permissions.exec() ? EVT1_IND : 0)
                | (permissions.write() ? 0 : EVT1_RNW) | ((tableWalk ? CLASS_TT : CLASS_IN) << EVT1_CLASS_SHIFT);
        long dw3 = tableWalk && fetchAddress >= 0 ? fetchAddress & EVT3_FETCH_ADDR : 0;
        return HardwareRecord.of(SMMUV3_EVENT, dw0, dw1, address, dw3);
    }

    /** A VT-d fault record (F = 1) for a derived first-level walk failure. */
    static HardwareRecord faultRecord(FirstLevelFault fault, int requesterId, int pasid, Permissions permissions,
            long address) {
        long w1 = FRCD1_F | (requesterId & FRCD1_SID) | ((long) fault.code() << FRCD1_FR_SHIFT)
                | (permissions.write() ? 0 : FRCD1_T1);
        if (pasid != Pasid.NONE) {
            w1 |= FRCD1_PP | ((long) pasid << FRCD1_PV_SHIFT) | (permissions.priv() ? FRCD1_PRIV : 0)
                    | (permissions.exec() ? FRCD1_EXE : 0);
        }
        return HardwareRecord.of(VTD_FRCD, address & FRCD0_FI, w1);
    }

    private static boolean carriesFetchAddress(int eventId) {
        for (int id : FETCH_EVENTS) {
            if (id == eventId) {
                return true;
            }
        }
        return false;
    }

    private static boolean fitsRequesterId(int virtualDevice) {
        return (virtualDevice & ~0xffff) == 0;
    }
}
