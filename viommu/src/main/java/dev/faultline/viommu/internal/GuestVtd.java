package dev.faultline.viommu.internal;

import static dev.faultline.platform.vtd.RegisterMap.CAP;
import static dev.faultline.platform.vtd.RegisterMap.ECAP;
import static dev.faultline.platform.vtd.RegisterMap.FECTL;
import static dev.faultline.platform.vtd.RegisterMap.FSTS;
import static dev.faultline.platform.vtd.RegisterMap.GCMD;
import static dev.faultline.platform.vtd.RegisterMap.GSTS;
import static dev.faultline.platform.vtd.RegisterMap.ICS;
import static dev.faultline.platform.vtd.RegisterMap.IECTL;
import static dev.faultline.platform.vtd.RegisterMap.IQA;
import static dev.faultline.platform.vtd.RegisterMap.IQH;
import static dev.faultline.platform.vtd.RegisterMap.IQT;
import static dev.faultline.platform.vtd.RegisterMap.PECTL;
import static dev.faultline.platform.vtd.RegisterMap.PQA;
import static dev.faultline.platform.vtd.RegisterMap.PQH;
import static dev.faultline.platform.vtd.RegisterMap.PQT;
import static dev.faultline.platform.vtd.RegisterMap.PRS;
import static dev.faultline.platform.vtd.RegisterMap.RTADDR;
import static dev.faultline.platform.vtd.RegisterMap.VER;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.platform.vtd.Capability;
import dev.faultline.platform.vtd.ContextEntry;
import dev.faultline.platform.vtd.ExtendedCapability;
import dev.faultline.platform.vtd.FaultReason;
import dev.faultline.platform.vtd.FaultRecord;
import dev.faultline.platform.vtd.InvalidationType;
import dev.faultline.platform.vtd.InvalidationWait;
import dev.faultline.platform.vtd.PageGroupResponse;
import dev.faultline.platform.vtd.PageRequestDescriptor;
import dev.faultline.platform.vtd.PasidDirectoryEntry;
import dev.faultline.platform.vtd.RegisterMap;
import dev.faultline.platform.vtd.UnitConfiguration;
import dev.faultline.viommu.GuestEvent;
import dev.faultline.viommu.LostEvents;
import dev.faultline.viommu.PageRequestEvent;
import dev.faultline.viommu.PasidBinder;
import dev.faultline.viommu.UnrecoverableEvent;
import dev.faultline.viommu.VirtualIommu;
import dev.faultline.viommu.VirtualPasidEntry;
import dev.faultline.viommu.VirtualVtd;
import dev.faultline.viommu.VirtualVtdOptions;
import dev.faultline.viommu.VirtualVtdStatistics;
import dev.faultline.viommu.WritableGuestMemory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A guest-programmed virtual VT-d remapping unit (the VT-d spec, scalable mode): registers, root, context,
 * PASID-directory and PASID tables, invalidation queue and page request queue in guest memory, fault recording
 * registers; first-level translation only. See {@link VirtualVtd}.
 *
 * <p><b>Locking.</b> One lock guards the registers, devices, group tags and rings. The vIOMMU is polled outside it
 * by {@link #deliver} (and, non-blocking, inside it by a draining invalidation wait); answers
 * ({@link VirtualIommu#respond}) and the binder are called under it, and neither calls back into this object.
 *
 * <p><b>Size.</b> One class because one lock guards what the guest programs (registers, tables, rings, group tags),
 * and each guest-written field is validated beside the register or descriptor it arrives in; record building, walks
 * and descriptor formats are their own classes.
 */
final class GuestVtd implements VirtualVtd {
    /** ECAP.PSS + 1: 20-bit PASIDs, as the host unit. */
    static final int PASID_BITS = 20;
    /** VER: 3.0 (scalable mode arrived with revision 3.0). */
    private static final int VERSION = 0x30;
    /** CAP.MGAW: 48-bit input addresses (4-level first-level paging). */
    private static final int MGAW = 48;
    /**
     * ECAP: coherent, queued invalidation, device-TLB, page requests with drain, supervisor requests, PASID,
     * scalable mode, first level. No second level, nesting, pass-through, execute requests or interrupt
     * remapping.
     */
    private static final long ECAP_FEATURES = ExtendedCapability.COHERENT | ExtendedCapability.QUEUED_INVALIDATION
            | ExtendedCapability.DEVICE_TLB | ExtendedCapability.PAGE_REQUESTS
            | ExtendedCapability.SUPERVISOR_REQUESTS | ExtendedCapability.PASID
            | ExtendedCapability.PAGE_REQUEST_DRAIN | ExtendedCapability.SCALABLE_MODE
            | ExtendedCapability.FIRST_LEVEL;
    private static final int GCMD_IMPLEMENTED = RegisterMap.GCMD_TE | RegisterMap.GCMD_SRTP | RegisterMap.GCMD_QIE;
    /** RTADDR: [9:0] reserved (TTM [11:10] must be 01, scalable mode). */
    private static final long RTADDR_RESERVED = 0x3ffL;
    /** IQA: [10:3] reserved. */
    private static final long IQA_RESERVED = 0x7f8L;
    /** IQT/IQH: QT/QH [18:4]; the rest reserved. */
    private static final long IQT_FIELD = 0x7fff0L;
    /** FSTS bits software may write (the RW1C ones and PPF, which Linux writes back). */
    private static final int FSTS_WRITABLE = 0xff;
    private static final int EVENT_CONTROLS = 3;
    /** Descriptor bits of type 0x1-0x8 that this unit reads as reserved: qw0 [8:6] (G above [5:4]). */
    private static final long QW0_TYPE_RESERVED = 0x1c0L;
    /** Invalidation wait: qw0 [31:8] besides the high type bits; qw1 [1:0]. */
    private static final long WAIT_QW0_RESERVED = 0xffff_f100L;
    /** FEDATA .. FEUADDR, IEDATA .. IEUADDR, PEDATA .. PEUADDR: stored for the VMM's MSI injection. */
    private static final int[] MSI_REGISTERS = {0x3c, 0x40, 0x44, 0xa4, 0xa8, 0xac, 0xe4, 0xe8, 0xec};
    /** PRGI: 9-bit group indices per virtual requester id. */
    private static final int GROUP_INDEX_BITS = 9;

    private final VirtualIommu viommu;
    private final WritableGuestMemory memory;
    private final PasidBinder binder;
    private final VirtualVtdOptions options;
    private final Capability capability;
    private final ExtendedCapability extendedCapability;
    private final Object lock = new Object();
    private final GuestFaultRecords faults;
    private final GuestPageRequestRing requests;
    private final StallTags groups;
    private final Map<Integer, Device> devices = new HashMap<>();
    private final Counters counters = new Counters();

    private int gsts;
    private long rtaddr;
    private long rootTable;
    private long iqa;
    private long iqh;
    private long iqt;
    private int ics;
    /** FECTL, IECTL, PECTL: IM bit 31, IP bit 30. */
    private final int[] eventControl = {RegisterMap.EVENT_IM, RegisterMap.EVENT_IM, RegisterMap.EVENT_IM};
    private final int[] msi = new int[MSI_REGISTERS.length];
    private int interrupts;

    /** One virtual device: what is installed for it per PASID ({@link Pasid#NONE}: RID_PASID). */
    private static final class Device {
        final DeviceId id;
        final int rid;
        GuestVtdTables.Context context = GuestVtdTables.Context.ABSENT;
        final Map<Integer, VirtualPasidEntry> installed = new HashMap<>();
        /** PASIDs whose entries (or directory, or context) set FPD. */
        final Set<Integer> faultProcessingDisable = new HashSet<>();

        Device(DeviceId id, int rid) {
            this.id = id;
            this.rid = rid;
        }
    }

    /** Counters; guarded by the lock. */
    private static final class Counters {
        long registerWritesRefused;
        long descriptors;
        long descriptorErrors;
        long waits;
        long entriesInstalled;
        long entriesRefused;
        long faultsRecorded;
        long faultsCompressed;
        long faultsOverflowed;
        long faultsSuppressed;
        long faultsDiscarded;
        long pageRequestsQueued;
        long pageRequestsDiscarded;
        long pageRequestsRefused;
        long responses;
        long responsesRefused;
    }

    GuestVtd(VirtualIommu viommu, WritableGuestMemory memory, PasidBinder binder, VirtualVtdOptions options,
            int maxGroups) {
        this.viommu = Objects.requireNonNull(viommu, "viommu");
        this.memory = Objects.requireNonNull(memory, "memory");
        this.binder = Objects.requireNonNull(binder, "binder");
        this.options = Objects.requireNonNull(options, "options");
        // CAP: CM = 1 (a guest invalidates after making entries present), SAGAW 4-level, MGAW 48, FRCDs at
        // QEMU's 0x220, PSI, FL1GP
        this.capability = Capability.of(6, true, 0x4, MGAW, UnitConfiguration.FAULT_RECORDING_OFFSET,
                options.faultRecords(), true, true);
        this.extendedCapability = ExtendedCapability.of(ECAP_FEATURES, PASID_BITS);
        this.faults = new GuestFaultRecords(options.faultRecords(), options.compressFaults());
        this.requests = new GuestPageRequestRing(memory);
        this.groups = new StallTags(maxGroups, GROUP_INDEX_BITS);
    }

    @Override
    public VirtualIommu viommu() {
        return viommu;
    }

    @Override
    public VirtualVtdOptions options() {
        return options;
    }

    @Override
    public void addDevice(DeviceId device, int requesterId) {
        Objects.requireNonNull(device, "device");
        if ((requesterId & ~0xffff) != 0) {
            throw new IllegalArgumentException("virtual requester id 0x" + Integer.toHexString(requesterId)
                    + " does not fit 16 bits");
        }
        synchronized (lock) {
            viommu.addDevice(device, requesterId);
            Device d = new Device(device, requesterId);
            devices.put(requesterId, d);
            configure(d);
        }
    }

    // ---- registers ------------------------------------------------------------------------------------------

    @Override
    public int read32(int offset) {
        synchronized (lock) {
            if (is64Bit(offset & ~7)) {
                return (int) (read64Locked(offset & ~7) >>> (offset & 4) * 8);
            }
            return switch (offset) {
                case VER -> VERSION;
                case GSTS -> gsts;
                case FSTS -> faults.faultStatus();
                case FECTL -> eventControl[0];
                case IECTL -> eventControl[1];
                case PECTL -> eventControl[2];
                case ICS -> ics;
                case PRS -> requests.prs();
                default -> {
                    int plain = msiIndex(offset);
                    yield plain < 0 ? 0 : msi[plain];
                }
            };
        }
    }

    @Override
    public long read64(int offset) {
        synchronized (lock) {
            if (is64Bit(offset)) {
                return read64Locked(offset);
            }
            return (read32(offset) & 0xffff_ffffL) | (long) read32(offset + 4) << 32;
        }
    }

    private boolean is64Bit(int offset) {
        return switch (offset) {
            case CAP, ECAP, RTADDR, IQH, IQT, IQA, PQH, PQT, PQA, RegisterMap.IQER, RegisterMap.CCMD -> true;
            default -> isFaultRecord(offset);
        };
    }

    private boolean isFaultRecord(int offset) {
        int first = capability.faultRecordingOffset();
        return offset >= first && offset < first + faults.count() * RegisterMap.FRCD_LENGTH;
    }

    private long read64Locked(int offset) {
        if (isFaultRecord(offset)) {
            return faults.word((offset - capability.faultRecordingOffset()) / Long.BYTES);
        }
        return switch (offset) {
            case CAP -> capability.value();
            case ECAP -> extendedCapability.value();
            case RTADDR -> rtaddr;
            case IQH -> iqh;
            case IQT -> iqt;
            case IQA -> iqa;
            case PQH -> requests.head();
            case PQT -> requests.tail();
            case PQA -> requests.pqa();
            default -> 0; // IQER: no error detail (IQEI 0); CCMD: register-based invalidation is not offered
        };
    }

    @Override
    public void write32(int offset, int value) {
        synchronized (lock) {
            int aligned = offset & ~7;
            if (isFaultRecord(offset)) {
                writeFaultRecord(offset, value & 0xffff_ffffL, 4);
            } else if (is64Bit(aligned)) {
                // a half of a 64-bit register (Linux writes IQT with writel): merged with the other half
                int shift = (offset & 4) * 8;
                long merged = (read64Locked(aligned) & ~(0xffff_ffffL << shift)) | (value & 0xffff_ffffL) << shift;
                write64Locked(aligned, merged);
            } else {
                write32Locked(offset, value);
            }
        }
    }

    @Override
    public void write64(int offset, long value) {
        synchronized (lock) {
            if (isFaultRecord(offset)) {
                writeFaultRecord(offset, value, 8);
            } else if (is64Bit(offset)) {
                write64Locked(offset, value);
            } else if ((offset & 7) == 0) {
                write32Locked(offset, (int) value);
                write32Locked(offset + 4, (int) (value >>> 32));
            } else {
                accept(false);
            }
        }
    }

    private void write32Locked(int offset, int value) {
        switch (offset) {
            case GCMD -> globalCommand(value);
            case FSTS -> {
                accept((value & ~FSTS_WRITABLE) == 0);
                boolean iqeCleared = faults.invalidationQueueError() && (value & RegisterMap.FSTS_IQE) != 0;
                faults.clearStatus(value);
                if (iqeCleared) {
                    processInvalidations(); // resumes at IQH, with the descriptor the guest may have replaced
                }
            }
            case FECTL -> eventControl(0, value, FAULT_EVENT);
            case IECTL -> eventControl(1, value, INVALIDATION_EVENT);
            case PECTL -> eventControl(2, value, PAGE_REQUEST_EVENT);
            case ICS -> {
                accept((value & ~RegisterMap.ICS_IWC) == 0);
                ics &= ~(value & RegisterMap.ICS_IWC);
            }
            case PRS -> {
                accept((value & ~(RegisterMap.PRS_PPR | RegisterMap.PRS_PRO)) == 0);
                requests.clearStatus(value);
            }
            default -> {
                int plain = msiIndex(offset);
                if (accept(plain >= 0)) {
                    msi[plain] = value;
                }
            }
        }
    }

    private void write64Locked(int offset, long value) {
        switch (offset) {
            case RTADDR -> rtaddr = value; // checked when SRTP latches it
            case IQA -> {
                if (accept((gsts & RegisterMap.GCMD_QIE) == 0 && (value & IQA_RESERVED) == 0)) {
                    iqa = value;
                }
            }
            case IQT -> {
                if (accept((value & ~IQT_FIELD) == 0)) {
                    iqt = value;
                    processInvalidations();
                }
            }
            case PQA -> accept(requests.program(value));
            case PQH -> accept(requests.writeHead(value));
            case PQT -> accept(requests.writeTail(value));
            default -> accept(false); // CAP, ECAP, IQH, IQER, CCMD: read-only or not offered
        }
    }

    /** The dword at +12 (or the qword at +8) of a fault recording register: F is write-1-to-clear. */
    private void writeFaultRecord(int offset, long value, int width) {
        int within = (offset - capability.faultRecordingOffset()) % RegisterMap.FRCD_LENGTH;
        int index = (offset - capability.faultRecordingOffset()) / RegisterMap.FRCD_LENGTH;
        boolean clearsF = (width == 4 && within == 12 && (value & RegisterMap.FRCD_F & 0xffff_ffffL) != 0)
                || (width == 8 && within == 8 && value < 0);
        if (accept(clearsF)) {
            faults.clear(index);
        }
    }

    /** Counts a refused write; returns {@code ok}. */
    private boolean accept(boolean ok) {
        if (!ok) {
            counters.registerWritesRefused++;
        }
        return ok;
    }

    private static int msiIndex(int offset) {
        for (int i = 0; i < MSI_REGISTERS.length; i++) {
            if (MSI_REGISTERS[i] == offset) {
                return i;
            }
        }
        return -1;
    }

    /** GCMD: TE and QIE are levels mirrored into GSTS; SRTP latches RTADDR if it is valid. */
    private void globalCommand(int value) {
        accept((value & ~GCMD_IMPLEMENTED) == 0);
        boolean reconfigure = false;
        if ((value & RegisterMap.GCMD_SRTP) != 0 && accept(rootTableValid(rtaddr))) {
            rootTable = rtaddr & ~0xfffL;
            gsts |= RegisterMap.GCMD_SRTP;
            reconfigure = true;
        }
        if (((gsts ^ value) & RegisterMap.GCMD_TE) != 0) {
            gsts ^= RegisterMap.GCMD_TE;
            reconfigure = true;
        }
        boolean enableQueue = (value & RegisterMap.GCMD_QIE) != 0;
        if (enableQueue && (gsts & RegisterMap.GCMD_QIE) == 0 && accept(invalidationQueueFits())) {
            iqh = 0;
            gsts |= RegisterMap.GCMD_QIE;
            processInvalidations();
        } else if (!enableQueue) {
            gsts &= ~RegisterMap.GCMD_QIE;
        }
        if (reconfigure) {
            for (Device d : devices.values()) {
                configure(d);
            }
        }
    }

    /** RTADDR: scalable mode (TTM 01), no reserved bit, the 4 KiB root table in guest RAM. */
    private boolean rootTableValid(long value) {
        return (value & RTADDR_RESERVED) == 0 && (value & RegisterMap.RTADDR_TTM_MASK) == RegisterMap.RTADDR_SMT
                && GuestVtdTables.tableFits(memory, value & ~0xfffL);
    }

    private boolean invalidationQueueFits() {
        long bytes = 4096L << (iqa & RegisterMap.QUEUE_SIZE_MASK);
        long base = iqa & RegisterMap.QUEUE_BASE_MASK;
        return base >= 0 && memory.contains(base) && memory.contains(base + bytes - Long.BYTES);
    }

    private void eventControl(int index, int value, int event) {
        accept((value & ~(RegisterMap.EVENT_IM | RegisterMap.EVENT_IP)) == 0);
        boolean pending = (eventControl[index] & RegisterMap.EVENT_IP) != 0;
        boolean masked = (value & RegisterMap.EVENT_IM) != 0;
        if (!masked && pending) {
            interrupts |= event;
            pending = false;
        }
        eventControl[index] = (masked ? RegisterMap.EVENT_IM : 0) | (pending ? RegisterMap.EVENT_IP : 0);
    }

    /** Raises an event: taken by the VMM if unmasked, else latched in IP. */
    private void raise(int index, int event) {
        if ((eventControl[index] & RegisterMap.EVENT_IM) != 0) {
            eventControl[index] |= RegisterMap.EVENT_IP;
        } else {
            interrupts |= event;
        }
    }

    @Override
    public int takeInterrupts() {
        synchronized (lock) {
            int taken = interrupts;
            interrupts = 0;
            return taken;
        }
    }

    // ---- invalidation queue ---------------------------------------------------------------------------------

    /** Consumes descriptors from IQH to IQT, at most one queue's worth, stopping at the first bad one (IQE). */
    private void processInvalidations() {
        if ((gsts & RegisterMap.GCMD_QIE) == 0 || faults.invalidationQueueError()) {
            return;
        }
        boolean wide = (iqa & RegisterMap.IQA_DW) != 0;
        int width = wide ? 32 : 16;
        long size = 4096L << (iqa & RegisterMap.QUEUE_SIZE_MASK);
        long base = iqa & RegisterMap.QUEUE_BASE_MASK;
        if (iqt >= size || (iqt & (width - 1)) != 0) {
            invalidationError(); // a tail beyond the queue, or not on a descriptor (DW = 1 with IQT bit 4 set)
            return;
        }
        while (iqh != iqt) {
            long at = base + iqh;
            long[] d = {memory.read64(at), memory.read64(at + 8), wide ? memory.read64(at + 16) : 0,
                wide ? memory.read64(at + 24) : 0};
            counters.descriptors++;
            if (!execute(d, wide)) {
                invalidationError();
                return;
            }
            iqh = (iqh + width) % size;
        }
    }

    private void invalidationError() {
        counters.descriptorErrors++;
        if (faults.raiseInvalidationQueueError()) {
            raise(0, FAULT_EVENT);
        }
    }

    /** Executes one descriptor; false for an invalid one (IQE). */
    private boolean execute(long[] d, boolean wide) {
        long qw0 = d[0];
        InvalidationType type = InvalidationType.of(qw0);
        if (type == null || (!wide && (qw0 & 0xe00) != 0)) {
            return false;
        }
        int granularity = (int) (qw0 >>> 4) & 3;
        return switch (type) {
            case CONTEXT_CACHE -> {
                // cc_inv_dsc: G [5:4] 1 global, 2 domain, 3 device (QI_CC_GRAN), DID [31:16], SID [47:32], FM [49:48]
                if (granularity == 0 || (qw0 & (QW0_TYPE_RESERVED | 0xfffc_0000_0000_0000L)) != 0
                        || (d[1] | d[2] | d[3]) != 0) {
                    yield false;
                }
                int sid = (int) (qw0 >>> 32) & 0xffff;
                for (Device device : devices.values()) {
                    if (granularity != 3 || device.rid == sid) {
                        configure(device);
                    }
                }
                yield true;
            }
            case PASID_CACHE -> {
                // pc_inv_dsc: G [5:4] 0 domain, 1 PASID, 3 global (QI_PC_*), DID [31:16], PASID [51:32]
                if (granularity == 2 || (qw0 & (QW0_TYPE_RESERVED | 0xfff0_0000_0000_ff00L)) != 0
                        || (d[1] | d[2] | d[3]) != 0) {
                    yield false;
                }
                int pasid = (int) (qw0 >>> 32) & 0xfffff;
                for (Device device : devices.values()) {
                    if (granularity == 1) {
                        configurePasid(device, pasid);
                    } else {
                        configure(device);
                    }
                }
                yield true;
            }
            case IOTLB -> granularity != 0 && (qw0 & QW0_TYPE_RESERVED) == 0; // QI_IOTLB_GRAN: 1 global .. 3 page
            case DEVICE_TLB, PASID_DEVICE_TLB -> true; // no device TLB is modelled: complete at once
            case PASID_IOTLB -> granularity >= 2 && (qw0 & QW0_TYPE_RESERVED) == 0; // QI_GRAN_NONG_PASID, _PSI_PASID
            case WAIT -> invalidationWait(qw0, d[1]);
            case PAGE_GROUP_RESPONSE -> pageGroupResponse(qw0, d[1]);
            default -> false; // interrupt entry cache (no interrupt remapping), page stream response (legacy)
        };
    }

    private boolean invalidationWait(long qw0, long qw1) {
        if ((qw0 & WAIT_QW0_RESERVED) != 0 || (qw1 & 3) != 0) {
            return false;
        }
        InvalidationWait wait = InvalidationWait.decode(qw0, qw1);
        if (wait.statusWrite()) {
            long word = wait.statusAddress() & ~7L;
            if (wait.statusAddress() < 0 || !memory.contains(word)) {
                return false;
            }
            int shift = (int) (wait.statusAddress() & 4) * 8;
            long old = memory.read64(word);
            memory.write64(word, (old & ~(0xffff_ffffL << shift)) | (wait.statusData() & 0xffff_ffffL) << shift);
        }
        if (wait.pageRequestDrain()) {
            // PD: every page request that reached the unit before this wait is in the guest's queue
            take(viommu.poll(1 << 16));
        }
        if (wait.interruptFlag()) {
            ics |= RegisterMap.ICS_IWC;
            raise(1, INVALIDATION_EVENT);
        }
        counters.waits++;
        return true;
    }

    // ---- configuration --------------------------------------------------------------------------------------

    /**
     * Re-reads the device's context entry and every PASID entry it may use: the RID_PASID entry, the entries of
     * the present directory entries (at most 2^(PDTS + 7) of them, each a 4 KiB table of 64), and the PASIDs
     * installed before, which now abort if no present entry holds them.
     */
    private void configure(Device d) {
        boolean enabled = (gsts & RegisterMap.GCMD_TE) != 0 && (gsts & RegisterMap.GCMD_SRTP) != 0;
        d.context = enabled ? GuestVtdTables.context(memory, rootTable, d.rid) : GuestVtdTables.Context.ABSENT;
        if (d.context.refused()) {
            counters.entriesRefused++;
        }
        install(d, Pasid.NONE, read(d, Pasid.NONE));
        Set<Integer> seen = new HashSet<>();
        if (d.context.present() && d.context.entry().pasidEnable()) {
            ContextEntry context = d.context.entry();
            int directoryEntries = Math.min(context.pasidDirectoryEntries(),
                    1 << (PASID_BITS - PasidDirectoryEntry.PASID_SHIFT));
            for (int i = 0; i < directoryEntries; i++) {
                long at = context.pasidDirectory() + (long) PasidDirectoryEntry.SIZE * i;
                if (!memory.contains(at)) {
                    counters.entriesRefused++; // the directory runs out of guest RAM
                    break;
                }
                long directory = memory.read64(at);
                if ((directory & PasidDirectoryEntry.RESERVED) != 0) {
                    counters.entriesRefused++; // its PASIDs abort
                } else if ((directory & 1) != 0) {
                    for (int pasid = Math.max(1, i << 6); pasid < (i + 1) << 6; pasid++) {
                        install(d, pasid, read(d, pasid));
                        seen.add(pasid);
                    }
                }
            }
        }
        for (Integer pasid : new ArrayList<>(d.installed.keySet())) {
            if (pasid != Pasid.NONE && !seen.contains(pasid)) {
                install(d, pasid, GuestVtdTables.Pasid.ABSENT);
            }
        }
    }

    /** Re-reads one PASID's entry of the device (and its RID_PASID use). */
    private void configurePasid(Device d, int pasid) {
        if (!d.context.present()) {
            return;
        }
        if (pasid >= 1 && pasid >>> PASID_BITS == 0) {
            install(d, pasid, read(d, pasid));
        }
        if (d.context.entry().ridPasid() == pasid) {
            install(d, Pasid.NONE, read(d, Pasid.NONE));
        }
    }

    private GuestVtdTables.Pasid read(Device d, int pasid) {
        if (!d.context.present()) {
            return GuestVtdTables.Pasid.ABSENT;
        }
        if (pasid != Pasid.NONE && !d.context.entry().pasidEnable()) {
            return GuestVtdTables.Pasid.ABSENT; // PASIDE = 0: requests with PASID fault 0x45
        }
        int index = pasid == Pasid.NONE ? d.context.entry().ridPasid() : pasid;
        return GuestVtdTables.pasid(memory, d.context.entry(), index, PASID_BITS, options.addressWidth());
    }

    /** Installs what the guest's entry says for (device, PASID) if it changed; tells the vIOMMU its context. */
    private void install(Device d, int pasid, GuestVtdTables.Pasid read) {
        if (read.refused()) {
            counters.entriesRefused++;
        }
        VirtualPasidEntry entry = read.entry();
        VirtualPasidEntry was = d.installed.getOrDefault(pasid, VirtualPasidEntry.ABORT);
        if (!entry.equals(was)) {
            // a change of owner for the host, which answers the PASID's held groups; their indices die with them
            groups.takeAll(d.rid, pasid);
            try {
                binder.bind(d.id, pasid, entry);
                counters.entriesInstalled++;
            } catch (RuntimeException e) {
                counters.entriesRefused++;
                entry = abortAfterRefusal(d, pasid);
            }
            if (entry.equals(VirtualPasidEntry.ABORT)) {
                d.installed.remove(pasid);
            } else {
                d.installed.put(pasid, entry);
            }
        }
        boolean firstLevel = read.context() != null && entry.mode() == VirtualPasidEntry.Mode.FIRST_LEVEL;
        if (firstLevel && read.faultProcessingDisable()) {
            d.faultProcessingDisable.add(pasid);
        } else {
            d.faultProcessingDisable.remove(pasid);
        }
        try {
            if (firstLevel) {
                viommu.setStage1(d.rid, pasid, read.context());
            } else if (!was.equals(VirtualPasidEntry.ABORT)) {
                viommu.clearStage1(d.rid, pasid);
            }
        } catch (IllegalArgumentException | IllegalStateException gone) {
            // the device left the guest (unplugged from the machine, or the guest closed): nothing to diagnose
        }
    }

    private VirtualPasidEntry abortAfterRefusal(Device d, int pasid) {
        try {
            binder.bind(d.id, pasid, VirtualPasidEntry.ABORT);
        } catch (RuntimeException e) {
            counters.entriesRefused++;
        }
        return VirtualPasidEntry.ABORT;
    }

    // ---- answers --------------------------------------------------------------------------------------------

    /** A page group response: answers the group the guest was shown under that RID, PASID and PRGI, else no-op. */
    private boolean pageGroupResponse(long qw0, long qw1) {
        if (PageGroupResponse.reservedBitsSet(qw0, qw1)) {
            return false;
        }
        PageGroupResponse r = PageGroupResponse.decode(qw0, qw1, 0, 0);
        int pasid = r.pasidPresent() ? r.pasid() : Pasid.NONE;
        StallTags.Stall group = groups.shown(r.requesterId(), r.groupIndex());
        if (group == null || group.pasid != pasid) {
            counters.responsesRefused++; // forged, stale, replayed, another device's or PASID's: a no-op
            return true;
        }
        groups.take(r.requesterId(), r.groupIndex());
        // iommufd carries SUCCESS and INVALID only: Response Failure and the reserved codes fail the request too
        viommu.respond(group.cookie, r.responseCode() == PageGroupResponse.SUCCESS ? ResponseCode.SUCCESS.value()
                : ResponseCode.INVALID.value());
        counters.responses++;
        return true;
    }

    // ---- events ---------------------------------------------------------------------------------------------

    @Override
    public int deliver(long timeout, TimeUnit unit) throws InterruptedException {
        List<GuestEvent> taken = viommu.poll(1 << 8, timeout, unit);
        synchronized (lock) {
            return take(taken);
        }
    }

    /** Writes the guest's events into its registers and queue; returns the records and descriptors written. */
    private int take(List<GuestEvent> events) {
        long before = counters.faultsRecorded + counters.pageRequestsQueued;
        for (GuestEvent e : events) {
            if (e instanceof UnrecoverableEvent u) {
                fault(u);
            } else if (e instanceof PageRequestEvent p) {
                pageRequest(p);
            } else if (e instanceof LostEvents lost) {
                counters.faultsOverflowed += lost.count();
                faults.overflow();
            }
        }
        return (int) (counters.faultsRecorded + counters.pageRequestsQueued - before);
    }

    private void fault(UnrecoverableEvent u) {
        HardwareRecord record = u.virtualRecord();
        Device d = devices.get(u.virtualDevice());
        if (!FaultRecord.FORMAT.equals(record.format()) || record.size() != 2 || d == null) {
            counters.faultsDiscarded++; // no record of the guest's format (no first-level context for the PASID)
            return;
        }
        record(d, u.pasid(), record.word(0), record.word(1));
    }

    private void record(Device d, int pasid, long low, long high) {
        if (d.faultProcessingDisable.contains(pasid)
                || (d.context.present() && d.context.entry().faultProcessingDisable())) {
            counters.faultsSuppressed++;
            return;
        }
        switch (faults.record(low, high)) {
            case RECORDED_WITH_EVENT -> {
                counters.faultsRecorded++;
                raise(0, FAULT_EVENT);
            }
            case RECORDED -> counters.faultsRecorded++;
            case COMPRESSED -> counters.faultsCompressed++;
            case OVERFLOWED -> counters.faultsOverflowed++;
        }
    }

    private void pageRequest(PageRequestEvent p) {
        Device d = devices.get(p.virtualDevice());
        PageRequestEvent.Request last = p.last();
        int pasid = last.pasid();
        if (d != null && d.context.present() && !d.context.entry().pageRequestEnable()) {
            // PRE = 0 in the guest's context entry: the request faults 0x47 and is refused (VT-d page requests)
            Permissions perm = last.permissions();
            boolean withPasid = pasid != Pasid.NONE;
            // T2 = 1, T1 = 0: a page request (VT-d FRCD type)
            FaultRecord r = new FaultRecord(last.address() & ~0xfffL, d.rid, withPasid, withPasid ? pasid : 0,
                    FaultReason.SM_CONTEXT_PRE_CLEAR, false, true, withPasid && perm.priv(), withPasid && perm.exec(),
                    0, true);
            record(d, pasid, r.low(), r.high());
            refuse(p);
            return;
        }
        if (d == null || !d.context.present() || (pasid != Pasid.NONE && !d.context.entry().pasidEnable())
                || !requests.programmed()) {
            refuse(p);
            return;
        }
        if (requests.overflowActive() || requests.room() < p.requests().size()) {
            // discarded with PRO; answered SUCCESS so that the device asks again (the host unit's model choice)
            if (!requests.overflowActive() && requests.overflow()) {
                raise(2, PAGE_REQUEST_EVENT);
            }
            viommu.respond(p.cookie(), ResponseCode.SUCCESS.value());
            counters.pageRequestsDiscarded++;
            return;
        }
        int index = groups.allocate(d.rid, p.cookie(), pasid);
        if (index < 0) {
            refuse(p);
            return;
        }
        for (int i = 0; i < p.requests().size(); i++) {
            PageRequestEvent.Request r = p.requests().get(i);
            boolean withPasid = r.pasid() != Pasid.NONE;
            Permissions perm = r.permissions();
            requests.write(new PageRequestDescriptor(d.rid, withPasid, withPasid ? r.pasid() : 0,
                    withPasid && perm.exec(), withPasid && perm.priv(), perm.read(), perm.write(),
                    i == p.requests().size() - 1, index, r.address() & ~0xfffL, false, 0, 0));
            counters.pageRequestsQueued++;
        }
        groups.show(d.rid, index);
        if (requests.pending()) {
            raise(2, PAGE_REQUEST_EVENT);
        }
    }

    private void refuse(PageRequestEvent p) {
        viommu.respond(p.cookie(), ResponseCode.INVALID.value());
        counters.pageRequestsRefused++;
    }

    @Override
    public VirtualVtdStatistics statistics() {
        synchronized (lock) {
            Counters c = counters;
            return new VirtualVtdStatistics(c.registerWritesRefused, c.descriptors, c.descriptorErrors, c.waits,
                    c.entriesInstalled, c.entriesRefused, c.faultsRecorded, c.faultsCompressed, c.faultsOverflowed,
                    c.faultsSuppressed, c.faultsDiscarded, c.pageRequestsQueued, c.pageRequestsDiscarded,
                    c.pageRequestsRefused, c.responses, c.responsesRefused);
        }
    }

    @Override
    public String toString() {
        return "virtual VT-d unit of " + viommu.name();
    }
}
