package dev.faultline.vtd.internal;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.Domain;
import dev.faultline.api.backend.DomainType;
import dev.faultline.api.backend.IommuPort;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.PciRequesterId;
import dev.faultline.core.queue.QueuePass;
import dev.faultline.platform.vtd.PasidEntry;
import dev.faultline.platform.vtd.RegisterMap;
import dev.faultline.platform.vtd.RemappingUnit;
import dev.faultline.vtd.GuestFirstLevel;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * What is attached to the unit's devices and PASIDs: context and PASID entries written in an order the hardware
 * never sees half of, the PASID-cache and IOTLB invalidations a replaced or cleared entry needs, domain ids, and the
 * order of a change of owner (clear, invalidate, drain the page request queue, then tell the core), as Linux's
 * {@code intel_pasid_setup_first_level}, {@code intel_pasid_tear_down_entry} and
 * {@code intel_iommu_drain_pasid_prq} do (VT-d spec 6.5, 7.10).
 *
 * <p>Thread-safe as the driver is: the tables serialize their writers; domain ids are assigned under this object.
 */
final class PasidAttachments {
    /** Drain passes a teardown makes before it gives up and logs (each pass empties the queue once). */
    private static final int MAX_DRAIN_ROUNDS = 8;
    /** {@code QI_CC_TYPE}: context-cache invalidate; {@code DMA_CCMD_DEVICE_INVL} as its granularity (3). */
    private static final long QI_CC_TYPE = 0x1;
    private static final long QI_CC_DEVICE = 3;
    /** {@code QI_PC_TYPE}: PASID-cache invalidate; granularities {@code QI_PC_PASID_SEL} and {@code QI_PC_GLOBAL}. */
    private static final long QI_PC_TYPE = 0x7;
    private static final long QI_PC_PASID_SEL = 1;
    private static final long QI_PC_GLOBAL = 3;
    /** {@code QI_EIOTLB_TYPE}: PASID-based IOTLB invalidate; {@code QI_GRAN_NONG_PASID} (2). */
    private static final long QI_EIOTLB_TYPE = 0x6;
    private static final long QI_GRAN_NONG_PASID = 2;

    private final RemappingUnit unit;
    private final DeviceTable devices;
    private final ContextTables tables;
    private final InvalidationQueue queue;
    private final PageRequestReader pageRequests;
    private final DmarLog log;
    private final IommuPort port;
    private final int pasidBits;
    private final int domainIdLimit;
    /** How long a teardown waits for a queue pass a handler call holds up (the invalidation timeout). */
    private final long drainWaitNanos;
    private final BooleanSupplier running;
    private final Map<String, Integer> domainIds = new HashMap<>();
    private final AtomicLong pasidDrains = new AtomicLong();

    PasidAttachments(RemappingUnit unit, DeviceTable devices, ContextTables tables, InvalidationQueue queue,
            PageRequestReader pageRequests, DmarLog log, IommuPort port, int pasidBits, int domainIdLimit,
            long drainWaitNanos, BooleanSupplier running) {
        this.unit = unit;
        this.devices = devices;
        this.tables = tables;
        this.queue = queue;
        this.pageRequests = pageRequests;
        this.log = log;
        this.port = port;
        this.pasidBits = pasidBits;
        this.domainIdLimit = domainIdLimit;
        this.drainWaitNanos = drainWaitNanos;
        this.running = running;
    }

    /** Teardowns that drained the page request queue of a PASID or device. */
    long pasidDrains() {
        return pasidDrains.get();
    }

    void attach(PciRequesterId device, int pasid, Domain domain, long firstLevelTable) {
        Objects.requireNonNull(domain, "domain");
        int index = pasidIndex(device, pasid);
        if ((firstLevelTable & 0xfff) != 0 || firstLevelTable <= 0) {
            throw new IllegalArgumentException(String.format("first-level table 0x%x is not a 4 KiB aligned address",
                    firstLevelTable));
        }
        if (domain.type() == DomainType.SVA && devices.withoutPri(device.rid())) {
            // Linux intel_iommu_enable_iopf: -ENODEV unless the device's PRI capability is supported
            throw new IllegalArgumentException("SVA domain " + domain.name() + " needs page requests, but " + device
                    + " has no PRI capability (" + unit.name() + ")");
        }
        PasidEntry entry = PasidEntry.firstLevel(firstLevelTable, domainId(domain), false);
        // The core learns the domain first, so a fault on the new tables already finds its handler.
        DevicePort devicePort = devices.portFor(port, device);
        devices.attached(device.rid(), pasid, domain);
        devicePort.attach(pasid, domain);
        replacePasidEntry(device.rid(), index, entry);
    }

    /**
     * Writes a PASID entry; if one was present, invalidates the unit's PASID cache for it (its old domain id)
     * and its PASID-based IOTLB entries, so the unit stops using the old entry (Linux
     * {@code pasid_cache_invalidation_with_pasid}, {@code qi_flush_piotlb}).
     */
    private void replacePasidEntry(int rid, int index, PasidEntry entry) {
        PasidEntry old = tables.pasidEntry(rid, index);
        tables.setPasidEntry(rid, index, entry);
        if (old != null && old.present()) {
            invalidatePasid(old.domainId(), index);
        }
    }

    /** PASID-selective PASID-cache invalidation, then all non-global IOTLB entries of the PASID. */
    private void invalidatePasid(int did, int pasidIndex) {
        queue.submit(QI_PC_TYPE | QI_PC_PASID_SEL << 4 | (long) did << 16 | (long) pasidIndex << 32, 0, 0, 0);
        queue.submit(QI_EIOTLB_TYPE | QI_GRAN_NONG_PASID << 4 | (long) did << 16 | (long) pasidIndex << 32, 0, 0,
                0);
    }

    void attachNested(PciRequesterId device, int pasid, Domain domain, GuestFirstLevel firstLevel,
            long secondLevelTable) {
        Objects.requireNonNull(domain, "domain");
        long guestFirstLevelTable = firstLevel.table();
        if (!domain.guestOwned()) {
            throw new IllegalArgumentException("domain " + domain.name() + " is not a guest's nested domain");
        }
        int index = pasidIndex(device, pasid);
        if ((guestFirstLevelTable & 0xfff) != 0 || guestFirstLevelTable < 0 || (secondLevelTable & 0xfff) != 0
                || secondLevelTable <= 0) {
            throw new IllegalArgumentException(String.format("first-level table 0x%x (guest-physical) and"
                    + " second-level table 0x%x must be 4 KiB aligned addresses", guestFirstLevelTable,
                    secondLevelTable));
        }
        PasidEntry entry = PasidEntry.nested(guestFirstLevelTable, secondLevelTable, domainId(domain),
                firstLevel.supervisorRequests(), firstLevel.writeProtect());
        DevicePort devicePort = devices.portFor(port, device);
        devices.attached(device.rid(), pasid, domain);
        devicePort.attach(pasid, domain);
        replacePasidEntry(device.rid(), index, entry);
    }

    /**
     * Announces a device to the core without attaching it (firmware lists it behind this unit, with or without a
     * PRI capability; an SVA domain is refused on a device announced without one).
     */
    void addDevice(PciRequesterId device, boolean pri) {
        checkDevice(device);
        devices.portFor(port, device);
        devices.pri(device.rid(), pri);
    }

    /**
     * Tears {@code (device, pasid)} down as Linux's {@code intel_pasid_tear_down_entry} and
     * {@code intel_iommu_drain_pasid_prq} do (VT-d spec 7.10), then tells the core: the PASID entry is cleared,
     * the page request queue is drained of that PASID's requests, an invalidation wait with page-request drain
     * brings in those still in flight, and the drain repeats while any of them (or PRS.PRO) shows up. The
     * requests drained are reported under the old owner, so the core's barrier answers them with the rest of its
     * groups; nothing of the old PASID reaches its next owner.
     */
    void detach(PciRequesterId device, int pasid) {
        int index = pasidIndex(device, pasid);
        PasidEntry old = tables.pasidEntry(device.rid(), index);
        tables.clearPasidEntry(device.rid(), index);
        if (old != null && old.present()) {
            invalidatePasid(old.domainId(), index);
        }
        drainPageRequests(device.rid(), pasid);
        if (devices.detached(device.rid(), pasid)) {
            DevicePort devicePort = devices.port(device.rid());
            if (devicePort != null) {
                devicePort.detach(pasid);
            }
        }
    }

    void removeDevice(PciRequesterId device) {
        checkDevice(device);
        tables.clearContext(device.rid());
        // device-selective context-cache invalidation, then the PASID cache of every PASID (VT-d §6.5)
        queue.submit(QI_CC_TYPE | QI_CC_DEVICE << 4 | (long) device.rid() << 32, 0, 0, 0);
        queue.submit(QI_PC_TYPE | QI_PC_GLOBAL << 4, 0, 0, 0);
        drainPageRequests(device.rid(), PageRequestReader.ANY_PASID);
        DevicePort devicePort = devices.removed(device.rid());
        if (devicePort != null) {
            devicePort.remove();
        }
    }

    /**
     * Waits until the page request queue holds no request of {@code (rid, pasid)}: drains it on this thread (under
     * the unit's queue pass, shared with the interrupt thread), then an invalidation wait with PD; again while the
     * queue shows such requests or PRS.PRO was set meanwhile.
     */
    private void drainPageRequests(int rid, int pasid) {
        pasidDrains.incrementAndGet();
        for (int round = 0; round < MAX_DRAIN_ROUNDS; round++) {
            if (pageRequests.drainWithin(port, drainWaitNanos) != QueuePass.Drain.RAN) {
                log.problem("DMAR: " + unit.name() + ": page request queue busy (a handler call holds its pass);"
                        + " pasid " + Pasid.format(pasid) + " of " + Integer.toHexString(rid) + " not drained");
                return;
            }
            boolean drained = queue.drainPageRequests();
            if (drained && !pageRequests.holds(rid, pasid)
                    && (unit.read32(RegisterMap.PRS) & RegisterMap.PRS_PRO) == 0) {
                return;
            }
        }
        log.problem("DMAR: " + unit.name() + ": page requests of " + Integer.toHexString(rid) + " pasid "
                + Pasid.format(pasid) + " still queued after " + MAX_DRAIN_ROUNDS + " drains");
    }

    /** The PASID entry currently programmed for {@code (device, pasid)}, or {@code null} (for diagnostics). */
    PasidEntry pasidEntry(PciRequesterId device, int pasid) {
        return tables.pasidEntry(device.rid(), pasidIndex(device, pasid));
    }

    private int pasidIndex(PciRequesterId device, int pasid) {
        checkDevice(device);
        if (pasid == Pasid.NONE) {
            return 0; // RID_PASID (IOMMU_NO_PASID)
        }
        if (pasid == 0) {
            throw new IllegalArgumentException("PASID 0 is the RID_PASID of requests without PASID;"
                    + " attach at Pasid.NONE for those");
        }
        if (pasid < 0 || pasid >= 1 << pasidBits) {
            throw new IllegalArgumentException("PASID " + Pasid.format(pasid) + " is outside the " + pasidBits
                    + "-bit PASIDs of " + unit.name());
        }
        return pasid;
    }

    private void checkDevice(PciRequesterId device) {
        Objects.requireNonNull(device, "device");
        if (!running.getAsBoolean()) {
            throw new IllegalStateException(unit.name() + " is not running");
        }
        int segment = unit.configuration().segment();
        if (device.segment() != segment) {
            throw new IllegalArgumentException(device + " is not on segment " + segment + " of " + unit.name());
        }
    }

    private synchronized int domainId(Domain domain) {
        Integer id = domainIds.get(domain.name());
        if (id == null) {
            id = domainIds.size() + 1; // DID 0 is reserved, as in Linux
            if (id >= domainIdLimit) {
                throw new IllegalStateException(unit.name() + " has no domain id left for " + domain.name());
            }
            domainIds.put(domain.name(), id);
        }
        return id;
    }
}
