package dev.faultline.smmuv3.internal;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.Domain;
import dev.faultline.api.backend.DomainType;
import dev.faultline.api.backend.IommuPort;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Pasid;
import dev.faultline.core.log.LogSink;
import dev.faultline.platform.machine.DeviceNode;
import dev.faultline.platform.memory.FrameAllocator;
import dev.faultline.platform.memory.PhysicalMemory;
import dev.faultline.smmuv3.GuestStage1;
import dev.faultline.smmuv3.Stage1Tables;
import dev.faultline.smmuv3.Stage2Tables;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The SMMU's streams and what is attached to them: STE and CD programming (IHI 0070 §5.2 and §5.4, Linux's STE and
 * CD builders), the order of a change of owner (make it visible, drain the fault queues, then tell the core) and
 * stall switching. The fault thread finds a record's stream here by StreamID, without locking.
 *
 * <p>Thread-safe: configuration is serialized on this object; the drain of a change of owner runs outside that
 * lock, because a handler call on the fault thread may need it to finish its pass.
 *
 * <p><b>Size.</b> One class because STE/CD programming and the order of a change of owner are serialized on one
 * object.
 */
final class Streams {
    private final String name;
    private final String prefix;
    private final LogSink log;
    private final PhysicalMemory memory;
    private final FrameAllocator frames;
    private final CommandQueue commands;
    private final StreamTable streamTable;
    private final PageResponses responses;
    /** Drains the event and PRI queues before the core hears of a change of owner. */
    private final Runnable drainForTeardown;
    private final Map<DeviceId, Stream> byDevice = new ConcurrentHashMap<>();
    /** Streams of unplugged devices: a handler call running at the unplug still answers through them. */
    private final Map<DeviceId, Stream> departed = new ConcurrentHashMap<>();
    private final AtomicLong stallsTerminated = new AtomicLong();
    private volatile AtomicReferenceArray<Stream> bySid = new AtomicReferenceArray<>(0);
    private ProbedFeatures features;
    private StreamEntries entries;
    private IommuPort port;
    private boolean open;
    private int nextAsid = 1;
    private int nextVmid = 1;

    Streams(String name, String prefix, LogSink log, PhysicalMemory memory, FrameAllocator frames,
            CommandQueue commands, StreamTable streamTable, PageResponses responses, Runnable drainForTeardown) {
        this.name = name;
        this.prefix = prefix;
        this.log = log;
        this.memory = memory;
        this.frames = frames;
        this.commands = commands;
        this.streamTable = streamTable;
        this.responses = responses;
        this.drainForTeardown = drainForTeardown;
    }

    /** Takes devices from now on, announcing them to the core through {@code port}. */
    synchronized void open(ProbedFeatures hardware, IommuPort corePort) {
        this.features = hardware;
        this.entries = new StreamEntries(streamTable, hardware);
        this.port = corePort;
        this.bySid = new AtomicReferenceArray<>(1 << hardware.sidBits());
        this.open = true;
    }

    /** Takes no more devices and no more configuration (the driver stops). */
    synchronized void close() {
        open = false;
    }

    /** Forgets every stream (after the core forgot the devices). */
    void clear() {
        byDevice.clear();
        departed.clear();
    }

    /** The stream of a StreamID, or {@code null} (the fault thread's lookup: lock-free, allocation-free). */
    Stream bySid(int sid) {
        AtomicReferenceArray<Stream> table = bySid;
        long s = sid & 0xffff_ffffL;
        return s < table.length() ? table.get((int) s) : null;
    }

    /** The stream of a device, or of a device unplugged while a handler call could still answer for it. */
    Stream answering(DeviceId device) {
        Stream s = byDevice.get(device);
        return s != null ? s : departed.get(device); // a departed STE aborts: a retry terminates, but it is heard
    }

    List<DeviceId> devices() {
        return List.copyOf(byDevice.keySet());
    }

    long stallsTerminated() {
        return stallsTerminated.get();
    }

    // ------------------------------------------------------------------ devices

    /** A device behind the SMMU: a stream in the core; its STE is written unless {@code keepSte} (a takeover). */
    synchronized void add(DeviceNode node, boolean keepSte) {
        if (!open) {
            return;
        }
        int sid = node.requesterId();
        if (!streamTable.covers(sid) || (sid & 0xffff_ffffL) >= bySid.length()) {
            log.error(prefix + "device " + node.id() + ": StreamID 0x" + Integer.toHexString(sid)
                    + " is beyond the stream table");
            return;
        }
        if (bySid.get(sid) != null) {
            log.error(prefix + "device " + node.id() + ": StreamID 0x" + Integer.toHexString(sid)
                    + " already belongs to " + bySid.get(sid).node.id());
            return;
        }
        DevicePort devicePort;
        try {
            devicePort = port.addDevice(node.id());
        } catch (IllegalStateException e) {
            log.error(prefix + "device " + node.id() + " not added: " + e.getMessage());
            return;
        }
        Stream stream = new Stream(node, features.faultMode(node.pri(), node.stallCapable()), devicePort);
        byDevice.put(node.id(), stream);
        bySid.set(sid, stream);
        if (!keepSte) {
            entries.writeSte(stream);
        }
    }

    /**
     * A device left: its STE aborts (CMD_CFGI_STE, CMD_SYNC), the queues are drained, the core answers its groups
     * (each stall resumed with abort), then CMD_STALL_TERM and CMD_SYNC terminate whatever stall of the stream
     * is left (IHI 4.7.2: after the STE aborts new traffic), so nothing of it waits on the next device.
     */
    void remove(DeviceId id) {
        Stream stream;
        synchronized (this) {
            stream = byDevice.get(id);
            if (stream == null || !open) {
                return;
            }
            stream.stage1.clear();
            stream.stage2 = null;
            stream.nested(null);
            entries.writeSte(stream); // abort without records from now on
        }
        drainForTeardown.run();
        stream.port.remove(); // answers its pending groups through this driver
        synchronized (this) {
            departed.put(id, stream);
            bySid.compareAndSet(stream.sid, stream, null);
            byDevice.remove(id, stream);
            if (stream.mode == FaultMode.STALL && features.stallModel() != 1) { // STALL_MODEL 1: illegal command
                stallsTerminated.incrementAndGet();
                responses.terminateStalls(stream.sid);
            }
        }
    }

    private Stream require(DeviceId device) {
        if (!open) {
            throw new IllegalStateException(name + " driver is stopped");
        }
        Stream stream = byDevice.get(device);
        if (stream == null) {
            throw new IllegalArgumentException(device + " is not behind " + name);
        }
        return stream;
    }

    // ------------------------------------------------------------------ attachments

    /** See {@link dev.faultline.smmuv3.SmmuDomains#attachStage1}. */
    void attachStage1(DeviceId device, int pasid, Domain domain, Stage1Tables tables) {
        requireNotNested(domain);
        leaveNested(device);
        attachStage1Now(device, pasid, domain, tables);
    }

    private static void requireNotNested(Domain domain) {
        if (domain.type() == DomainType.NESTED) {
            throw new IllegalArgumentException("nested domain " + domain.name() + " needs attachNested");
        }
    }

    /**
     * A stream's nested attachment is replaced by the caller's: the nested one is detached first, with its drain,
     * outside this object's lock (a handler on the fault thread may need that lock to finish its pass).
     */
    private void leaveNested(DeviceId device) {
        boolean nested;
        synchronized (this) {
            nested = require(device).nested() != null;
        }
        if (nested) {
            detach(device, Pasid.NONE);
        }
    }

    private synchronized void attachStage1Now(DeviceId device, int pasid, Domain domain, Stage1Tables tables) {
        Stream s = require(device);
        Pasid.requireValidOrNone(pasid);
        requireNotNested(domain);
        if (pasid == 0) {
            throw new IllegalArgumentException("PASID 0 is the PASID-less context: attach at Pasid.NONE");
        }
        if (domain.type() == DomainType.SVA && s.mode == FaultMode.TERMINATE) {
            // Linux arm_smmu_master_enable_iopf: I/O page faults need a stall-enabled master or PRI
            throw new IllegalArgumentException("SVA domain " + domain.name() + " needs I/O page faults, but " + device
                    + " can neither stall nor send page requests (no PRI) on " + name);
        }
        if (s.contexts == null) {
            s.contexts = new ContextTable(memory, frames, commands, s.sid, Math.min(features.ssidBits(), 20),
                    features.cd2l());
        }
        int ssid = pasid == Pasid.NONE ? 0 : pasid;
        if (!s.contexts.holds(ssid)) {
            throw new IllegalArgumentException("PASID " + Pasid.format(pasid) + " exceeds the " + s.contexts.cdMax()
                    + " SubstreamID bits of " + name);
        }
        Stream.Stage1 old = s.stage1.get(pasid);
        Stream.Stage1 attachment = new Stream.Stage1(domain, tables, old != null ? old.asid() : nextAsid++ & 0xffff);
        entries.writeCd(s, pasid, attachment);
        s.stage1.put(pasid, attachment);
        entries.writeSte(s);
        s.port.attach(pasid, domain);
    }

    /** See {@link dev.faultline.smmuv3.SmmuDomains#attachStage2}. */
    void attachStage2(DeviceId device, Domain domain, Stage2Tables tables) {
        requireNotNested(domain);
        leaveNested(device);
        attachStage2Now(device, domain, tables);
    }

    private synchronized void attachStage2Now(DeviceId device, Domain domain, Stage2Tables tables) {
        Stream s = require(device);
        requireNotNested(domain);
        s.stage2 = new Stream.Stage2(domain, tables, s.stage2 != null ? s.stage2.vmid() : nextVmid++ & 0xffff);
        entries.writeSte(s);
        attachPasidLess(s);
    }

    /**
     * Attaches (or re-attaches) a guest's nested domain: the STE change is made visible (CMD_CFGI_STE, CMD_SYNC),
     * the queues are drained outside this object's lock, and then the core learns of the change, whose barrier
     * answers every group of the stage-1 PASIDs and of the previous nested attachment.
     */
    void attachNested(DeviceId device, Domain domain, GuestStage1 guest, Stage2Tables tables) {
        Stream s;
        List<Integer> dropped;
        synchronized (this) {
            s = require(device);
            if (domain.type() != DomainType.NESTED) {
                throw new IllegalArgumentException("domain " + domain.name() + " is " + domain.type()
                        + ", not NESTED");
            }
            dropped = List.copyOf(s.stage1.keySet());
            dropped.forEach(s.stage1::remove);
            s.stage2 = null;
            s.nested(new Stream.Nested(domain, guest, tables, nextVmid++ & 0xffff));
            entries.writeSte(s);
        }
        drainForTeardown.run();
        synchronized (this) {
            for (Integer pasid : dropped) {
                if (pasid != Pasid.NONE) {
                    s.port.detach(pasid);
                }
            }
            s.port.attach(Pasid.NONE, domain);
        }
    }

    /**
     * Detaches {@code (device, pasid)}: the CD (or STE) change is made visible with CMD_CFGI_CD / CMD_CFGI_STE and
     * CMD_SYNC, the event and PRI queues are drained, and only then is the core told, whose barrier answers
     * everything of the old owner.
     */
    void detach(DeviceId device, int pasid) {
        Stream s;
        boolean nested;
        synchronized (this) {
            s = require(device);
            Pasid.requireValidOrNone(pasid);
            nested = pasid == Pasid.NONE && s.nested() != null;
            if (nested) {
                s.nested(null);
            } else if (s.stage1.remove(pasid) != null) {
                s.contexts.clear(pasid == Pasid.NONE ? 0 : pasid);
            } else if (pasid == Pasid.NONE) {
                s.stage2 = null;
            }
            entries.writeSte(s);
        }
        drainForTeardown.run();
        synchronized (this) {
            if (nested || pasid != Pasid.NONE) {
                s.port.detach(pasid);
            } else {
                attachPasidLess(s);
            }
        }
    }

    /** The core's PASID-less attachment: the PASID-less stage-1 domain, else the stage-2 domain, else none. */
    private void attachPasidLess(Stream s) {
        Stream.Stage1 s1 = s.stage1.get(Pasid.NONE);
        if (s1 != null) {
            s.port.attach(Pasid.NONE, s1.domain());
        } else if (s.stage2 != null) {
            s.port.attach(Pasid.NONE, s.stage2.domain());
        } else {
            s.port.detach(Pasid.NONE);
        }
    }

    // ------------------------------------------------------------------ stall switching

    /** See {@link dev.faultline.smmuv3.SmmuDomains#canSwitchStall}. */
    synchronized boolean canSwitchStall(DeviceId device) {
        return switchable(require(device));
    }

    /** A device that can stall (firmware), behind an SMMU that lets software choose (IDR0.STALL_MODEL = 0). */
    private boolean switchable(Stream s) {
        return s.mode == FaultMode.STALL && features.stallModel() == 0;
    }

    /**
     * Switches stall-on-fault in the order that never shows the SMMU an illegal combination (a CD with S = 1
     * under S1STALLD = 1, IHI §5.5) and changes one STE or CD dword per step, so traffic keeps translating:
     * on: S1STALLD = 0, then S2S = 1, then every CD's S = 1; off: the reverse. Each step is followed by
     * CMD_CFGI_STE or CMD_CFGI_CD and CMD_SYNC.
     */
    synchronized void setStall(DeviceId device, boolean stall) {
        Stream s = require(device);
        if (!switchable(s)) {
            throw new UnsupportedOperationException(device + " on " + name + " cannot switch stall-on-fault: "
                    + (s.mode != FaultMode.STALL ? "its faults " + (s.mode == FaultMode.PRI ? "use PRI" : "terminate")
                            : "IDR0.STALL_MODEL is " + features.stallModel()));
        }
        s.stallOff = !stall;
        if (!stall) {
            entries.writeCds(s);
        }
        entries.writeSte(s, true, false); // the step between: stage-1 stalls allowed, stage-2 faults terminate
        entries.writeSte(s);
        if (stall) {
            entries.writeCds(s);
        }
    }

    // ------------------------------------------------------------------ status

    /** Each stream, for the shell: device, StreamID, fault mode and attachments. */
    synchronized List<SmmuStatus.StreamStatus> status() {
        List<SmmuStatus.StreamStatus> streams = new ArrayList<>();
        for (Stream s : byDevice.values()) {
            streams.add(SmmuStatus.StreamStatus.of(s));
        }
        return streams;
    }
}
