package dev.faultline.vtd.internal;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.ReportOutcome;
import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permission;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.UnrecoverableFault;
import dev.faultline.core.queue.QueuePass;
import dev.faultline.platform.vtd.Capability;
import dev.faultline.platform.vtd.FaultReason;
import dev.faultline.platform.vtd.FaultRecord;
import dev.faultline.platform.vtd.FaultType;
import dev.faultline.platform.vtd.RegisterMap;
import dev.faultline.platform.vtd.RemappingUnit;

/**
 * Reads the fault recording registers as Linux's {@code dmar_fault} does (intel/dmar.c;
 * VT-d FSTS and FRCD): from FSTS.FRI while the record's F bit is set, decode it, clear F, then handle it;
 * finally write PFO | PPF | PRO to FSTS.
 *
 * <p>Unlike Linux, each DMA-remapping fault goes to the core as an unrecoverable fault, so the device's handler
 * gets it. Only a fault nobody handles (no handler, or a requester the driver does not know) is printed, in the
 * kernel's exact format and rate-limited. For a device or PASID attached to a nested (guest-owned) domain the
 * level that faulted decides ({@link FaultReason#firstLevel}): a first-level fault is the guest's, goes to the
 * core with its raw record ({@link FaultRecord#FORMAT}) for the guest's vIOMMU, and is never printed; any other
 * (root, context, PASID tables, second level) is the host's, is not reported into the guest, and is printed
 * under that guest's own rate limit. Host handlers get no raw record. Interrupt-remapping faults are printed
 * only.
 *
 * <p>Called only from the unit's interrupt thread. One pass reads at most as many records as the unit has and
 * asks for another pass, which continues where it stopped, while faults are pending.
 */
final class FaultRecordReader {
    private final RemappingUnit unit;
    private final DeviceTable devices;
    private final DmarLog log;
    private final int firstRecord;
    private final int records;
    private int resumeAt = -1;
    /** Outcomes of {@link #drain()}. */
    static final int DONE = 0;
    static final int AGAIN = 1;
    static final int ABANDONED = 2;
    private final QueuePass pass;
    volatile long reported;
    volatile long delivered;
    volatile long printed;
    volatile long printSuppressed;
    volatile long guestSilenced;
    volatile long hostOwnedGuestFaults;
    volatile long overflows;
    volatile long interruptRemapping;

    FaultRecordReader(RemappingUnit unit, DeviceTable devices, DmarLog log, QueuePass pass) {
        this.pass = pass;
        this.unit = unit;
        this.devices = devices;
        this.log = log;
        Capability capability = new Capability(unit.read64(RegisterMap.CAP));
        this.firstRecord = capability.faultRecordingOffset();
        this.records = capability.faultRecordingCount();
    }

    /**
     * One pass, by the holder of the unit's {@link QueuePass}. A record is cleared (F written) before it is
     * reported, so a successor that takes the pass over from a blocked report starts with the next one.
     *
     * @return {@link #AGAIN} if faults are still pending (another pass is needed), {@link #DONE}, or
     *     {@link #ABANDONED} if a handler held a report so long that the pass went to a fresh thread (leave the
     *     registers alone)
     */
    int drain() {
        int status = unit.read32(RegisterMap.FSTS);
        if ((status & RegisterMap.FSTS_PPF) != 0) {
            int index = resumeAt >= 0 ? resumeAt : (status >>> RegisterMap.FSTS_FRI_SHIFT) & 0xff;
            resumeAt = -1;
            int handled = 0;
            while (true) {
                if (!pending(index)) {
                    // Linux stops here; a record written behind FRI while this driver was busy would then wait
                    // for the next fault event, so look once around the ring for it.
                    index = nextPending(index);
                    if (index < 0) {
                        break;
                    }
                }
                if (handled == records) {
                    resumeAt = index; // bounded pass: continue here next time
                    break;
                }
                int offset = firstRecord + RegisterMap.FRCD_LENGTH * index;
                long low = unit.read64(offset);
                long high = unit.read64(offset + 8);
                unit.write32(offset + 12, RegisterMap.FRCD_F);
                pass.reportStarts();
                RuntimeException failure = null;
                try {
                    handle(low, high);
                } catch (RuntimeException e) {
                    failure = e;
                }
                if (!pass.reportEnded()) {
                    return ABANDONED;
                }
                if (failure != null) {
                    throw failure;
                }
                handled++;
                index = (index + 1) % records;
            }
        }
        // Linux writes PFO | PPF | PRO blindly; clearing only the PFO read here counts every overflow seen.
        int overflow = unit.read32(RegisterMap.FSTS) & RegisterMap.FSTS_PFO;
        if (overflow != 0) {
            overflows++; // faults the hardware dropped: counted and visible
        }
        unit.write32(RegisterMap.FSTS, overflow | RegisterMap.FSTS_PPF | RegisterMap.FSTS_PRO);
        return resumeAt >= 0 || (unit.read32(RegisterMap.FSTS) & RegisterMap.FSTS_PPF) != 0 ? AGAIN : DONE;
    }

    /** Whether FRCD[index] holds a fault (F in the dword at +12). */
    private boolean pending(int index) {
        return (unit.read32(firstRecord + RegisterMap.FRCD_LENGTH * index + 12) & RegisterMap.FRCD_F) != 0;
    }

    /** The first register from {@code index} on, round the ring, that holds a fault; -1 if none does. */
    private int nextPending(int index) {
        for (int n = 1; n < records; n++) {
            int candidate = (index + n) % records;
            if (pending(candidate)) {
                return candidate;
            }
        }
        return -1;
    }

    private void handle(long low, long high) {
        // FRCD (VT-d FRCD)
        int sid = (int) high & 0xffff;
        boolean typeBit2 = (high >>> 28 & 1) != 0;
        boolean privileged = (high >>> 29 & 1) != 0;
        boolean execute = (high >>> 30 & 1) != 0;
        boolean pasidPresent = (high >>> 31 & 1) != 0;
        int reason = (int) (high >>> 32) & 0xff;
        int pasid = pasidPresent ? (int) (high >>> 40) & 0xfffff : Pasid.NONE;
        boolean read = (high >>> 62 & 1) != 0;
        if (FaultReason.of(reason).type() == FaultType.INTR_REMAP) {
            interruptRemapping++;
            print(low, high);
            return;
        }
        DevicePort device = devices.port(sid);
        String guest = device == null ? null : devices.guestOf(sid, pasid);
        if (guest != null && !FaultReason.firstLevel(reason)) {
            // the host's own fault on a guest's device (tables, entries, second level): never the guest's,
            // printed under the guest's own limit so one guest cannot use up the unit's
            hostOwnedGuestFaults++;
            if (log.guestFault(guest, low, high)) {
                printed++;
            } else {
                printSuppressed++;
            }
            return;
        }
        ReportOutcome outcome = ReportOutcome.NO_HANDLER;
        if (device != null) {
            // T1 = 1 read, T1 = 0 with T2 = 0 write; T2 = 1 (a page or translation request) names no access.
            int permissions = (read ? Permission.READ.bit() : typeBit2 ? 0 : Permission.WRITE.bit())
                    | (execute ? Permission.EXEC.bit() : 0) | (privileged ? Permission.PRIV.bit() : 0);
            reported++;
            // the raw record goes only with a guest's fault (its vIOMMU's raw mode); host handlers get the fields
            outcome = device.reportUnrecoverable(UnrecoverableFault.ADDR_VALID
                    | (pasidPresent ? UnrecoverableFault.PASID_VALID : 0), pasid, Permissions.of(permissions),
                    low & ~0xfffL, 0, guest != null ? HardwareRecord.of(FaultRecord.FORMAT, low, high)
                            : HardwareRecord.NONE);
        }
        if (outcome == ReportOutcome.DELIVERED) {
            delivered++;
        } else if (guest != null) {
            guestSilenced++;
        } else {
            print(low, high);
        }
    }

    private void print(long low, long high) {
        if (log.fault(low, high)) {
            printed++;
        } else {
            printSuppressed++;
        }
    }
}
