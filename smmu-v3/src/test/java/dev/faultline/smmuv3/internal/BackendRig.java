package dev.faultline.smmuv3.internal;

import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.core.standalone.StandaloneCore;
import dev.faultline.platform.arm.TranslationTable;
import dev.faultline.platform.dma.DmaDevice;
import dev.faultline.platform.dma.PriCapability;
import dev.faultline.platform.dma.PrgResponseMessage;
import dev.faultline.platform.machine.DeviceNode;
import dev.faultline.platform.machine.Machine;
import dev.faultline.platform.smmuv3.Smmu;
import dev.faultline.platform.smmuv3.SmmuFeatures;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * A machine with one SMMUv3, the real fault core (standalone) and the driver under test: everything the
 * end-to-end tests drive DMA through.
 */
final class BackendRig implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(10);

    final Machine machine = Machine.create("test", 0x4000_0000L, 0x1000_0000L);
    final Smmu smmu;
    final List<String> coreLog = new CopyOnWriteArrayList<>();
    final StandaloneCore core;
    final RecordingLog log = new RecordingLog();
    final AtomicLong ticker = new AtomicLong(1);
    final List<PrgResponseMessage> wire = new CopyOnWriteArrayList<>();
    SmmuDriver driver;

    BackendRig(SmmuFeatures features, String... devices) {
        smmu = new Smmu("smmuv3.0", features, machine.memory());
        machine.addIommu(smmu);
        for (String d : devices) {
            machine.addDevice(DeviceNode.parse(d));
        }
        core = StandaloneCore.builder().defaultTimeoutMillis(5000).log(coreLog::add).start();
    }

    BackendRig(String... devices) {
        this(SmmuFeatures.defaults(), devices);
    }

    SmmuDriver start(DriverSettings settings) {
        driver = new SmmuDriver(smmu, machine, core.pipeline(), settings, log, ticker::get);
        driver.start();
        return driver;
    }

    SmmuDriver start() {
        return start(DriverSettings.defaults());
    }

    long register(FaultHandler handler, String key, Object value) {
        return core.register(handler, Map.of(key, value));
    }

    long handleDomain(String domain, FaultHandler handler) {
        return register(handler, HandlerProperties.DOMAIN, domain);
    }

    /** Registers {@code guest}'s vIOMMU handler for its domain (the only handler a guest-owned domain reaches). */
    long handleGuestDomain(String domain, String guest, FaultHandler handler) {
        return core.register(handler, Map.of(HandlerProperties.DOMAIN, domain, HandlerProperties.GUEST, guest));
    }

    TranslationTable stage1() {
        return TranslationTable.stage1(machine.frames(), 48);
    }

    DmaDevice device(String name, int sid) {
        return DmaDevice.of(name, sid, smmu, machine.memory());
    }

    /** A PRI function whose PRG responses are also recorded as they cross the link. */
    DmaDevice priDevice(String name, int rid) {
        PriCapability pri = new PriCapability(32, true);
        pri.enable();
        DmaDevice device = DmaDevice.withPri(name, rid, smmu, machine.memory(), pri);
        smmu.connect(rid, response -> {
            wire.add(response);
            device.receive(response);
        });
        return device;
    }

    /** Waits (bounded) until {@code condition} holds. */
    static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(100_000);
        }
    }

    /** The STE of {@code sid} as the driver wrote it (two-level stream table). */
    dev.faultline.platform.smmuv3.StreamTableEntry ste(int sid) {
        var memory = machine.memory();
        long base = smmu.read64(dev.faultline.platform.smmuv3.SmmuRegisters.STRTAB_BASE)
                & dev.faultline.platform.smmuv3.SmmuRegisters.STRTAB_BASE_ADDR_MASK;
        long l1 = memory.read64(base + 8L * (sid >>> StreamTable.SPLIT));
        long at = (l1 & dev.faultline.platform.smmuv3.SmmuRegisters.STRTAB_L1_DESC_L2PTR_MASK) + 64L * (sid & 0xff);
        return dev.faultline.platform.smmuv3.StreamTableEntry.decode(words(at));
    }

    /** The CD of {@code ssid} under {@code ste} (linear or two-level with 1024-CD leaves). */
    dev.faultline.platform.smmuv3.ContextDescriptor cd(dev.faultline.platform.smmuv3.StreamTableEntry ste, int ssid) {
        long at = ste.s1ContextPtr();
        if (ste.s1Fmt() == 2) {
            long l1 = machine.memory().read64(at + 8L * (ssid >>> 10));
            at = (l1 & dev.faultline.platform.smmuv3.ContextDescriptor.L1_DESC_L2PTR_MASK) + 64L * (ssid & 0x3ff);
        } else {
            at += 64L * ssid;
        }
        return dev.faultline.platform.smmuv3.ContextDescriptor.decode(words(at));
    }

    private long[] words(long at) {
        long[] d = new long[8];
        for (int i = 0; i < 8; i++) {
            d[i] = machine.memory().read64(at + 8L * i);
        }
        return d;
    }

    /** The commands in the command queue ring so far (the tests issue fewer than the ring holds). */
    List<dev.faultline.platform.smmuv3.Command> commands() {
        long base = smmu.read64(dev.faultline.platform.smmuv3.SmmuRegisters.CMDQ_BASE);
        int log2 = (int) (base & 0x1f);
        long zero = base & dev.faultline.platform.smmuv3.SmmuRegisters.Q_BASE_ADDR_MASK;
        int prod = smmu.read32(dev.faultline.platform.smmuv3.SmmuRegisters.CMDQ_PROD);
        int count = dev.faultline.platform.smmuv3.QueuePointer.index(prod, log2)
                + ((prod >>> log2 & 1) != 0 ? 1 << log2 : 0);
        List<dev.faultline.platform.smmuv3.Command> out = new java.util.ArrayList<>();
        for (int i = 0; i < Math.min(count, 1 << log2); i++) {
            long slot = zero + 16L * i;
            out.add(dev.faultline.platform.smmuv3.Command.decode(machine.memory().read64(slot),
                    machine.memory().read64(slot + 8)));
        }
        return out;
    }

    @Override
    public void close() {
        if (driver != null) {
            driver.stop();
        }
        core.close();
    }
}
