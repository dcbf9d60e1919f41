package dev.faultline.soak;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.PciRequesterId;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.platform.arm.Protection;
import dev.faultline.platform.arm.TranslationTable;
import dev.faultline.platform.dma.TranslationPort;
import dev.faultline.platform.machine.DeviceNode;
import dev.faultline.platform.machine.Machine;
import dev.faultline.platform.smmuv3.Smmu;
import dev.faultline.platform.smmuv3.SmmuFeatures;
import dev.faultline.platform.vtd.RemappingUnit;
import dev.faultline.platform.vtd.UnitConfiguration;
import dev.faultline.platform.x86.FirstLevelPageTable;
import dev.faultline.smmuv3.SmmuDomains;
import dev.faultline.vtd.VtdIommu;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.osgi.framework.ServiceRegistration;

/**
 * The simulated machine with the real bundles in an {@link EmbeddedFelix}: one SMMUv3 with a PRI function and a
 * stalling master, one VT-d unit with a PRI function, registered as the services the platform bundle would
 * register ({@code Machine}, {@code Smmu}, {@code RemappingUnit}); the core and both backends as bundles. The
 * test's handlers are whiteboard services of the system bundle, registered for their domain and their device, so
 * they keep serving while attachments are being made again after a swap. A device thread keeps faulting on
 * demand.
 */
final class FelixMachine implements AutoCloseable {
    static final String SMMU = "smmuv3.0";
    static final String DMAR = "dmar0";
    static final String CORE = "dev.faultline.core";
    static final String SMMU_V3 = "dev.faultline.smmu-v3";
    static final String INTEL_VTD = "dev.faultline.intel-vtd";
    private static final int WINDOW = 8;

    final Machine machine = Machine.create("felix", 0x4000_0000L, 0x1000_0000L);
    final Smmu smmu = new Smmu(SMMU, SmmuFeatures.defaults(), machine.memory());
    final RemappingUnit unit = new RemappingUnit(UnitConfiguration.standard(DMAR, 0, 8, 1L << 40), machine.memory());
    final EmbeddedFelix felix;
    final PriFunction smmuFunction;
    final PriFunction vtdFunction;
    final StallingMaster gpu;
    private final DeviceId gpuId = DeviceId.parse("platform:gpu0");
    private final PciRequesterId smmuNic = new PciRequesterId(0, 1, 0, 0);
    private final PciRequesterId vtdNic = new PciRequesterId(0, 2, 0, 0);
    private final TranslationTable gpuTable = TranslationTable.stage1(machine.frames(), 48);
    private final TranslationTable nicTable = TranslationTable.stage1(machine.frames(), 48);
    private final long vtdRoot = new FirstLevelPageTable(machine.frames(), FirstLevelPageTable.PAGE_4K).root();
    private final long gpuFrame = machine.frames().allocatePage();
    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();
    private final AtomicBoolean faulting = new AtomicBoolean();
    private final AtomicReference<String> deviceProblem = new AtomicReference<>("");
    private Thread devices;

    FelixMachine(Path storage) throws Exception {
        machine.addIommu(smmu);
        machine.addIommu(unit);
        machine.addDevice(DeviceNode.parse("platform:gpu0@" + SMMU + ":0x10:stall"));
        machine.addDevice(DeviceNode.parse("0000:01:00.0@" + SMMU + ":0x100:pri"));
        machine.addDevice(DeviceNode.parse("0000:02:00.0@" + DMAR + ":0x200:pri"));
        smmuFunction = new PriFunction(smmuNic, smmuNic.rid(), 1, smmu, WINDOW);
        vtdFunction = new PriFunction(vtdNic, vtdNic.rid(), 1, unit, WINDOW);
        gpu = new StallingMaster(gpuId, 0x10, smmu, gpuTable, WINDOW);
        felix = new EmbeddedFelix(storage);
        register(Machine.class.getName(), machine, "machine.name", "felix");
        registerIommu(Smmu.class.getName(), smmu, SMMU);
        registerIommu(RemappingUnit.class.getName(), unit, DMAR);
        felix.startAll();
        attach();
    }

    private void register(String type, Object service, String key, String value) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(key, value);
        registrations.add(felix.context.registerService(type, service, props));
    }

    private void registerIommu(String type, Object iommu, String name) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("iommu.name", name);
        registrations.add(felix.context.registerService(new String[] {type, TranslationPort.class.getName()},
                iommu, props));
    }

    /**
     * Registers {@code handler} for the three devices' domains and the devices themselves.
     *
     * @return its registration
     */
    ServiceRegistration<FaultHandler> handler(FaultHandler handler) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(HandlerProperties.DOMAIN, new String[] {"gpu0", "nic1", "vtd-nic"});
        props.put(HandlerProperties.DEVICE, new String[] {gpuId.toString(), smmuNic.toString(), vtdNic.toString()});
        ServiceRegistration<FaultHandler> r = felix.context.registerService(FaultHandler.class, handler, props);
        registrations.add(r);
        return r;
    }

    /** A handler that maps the stalling master's page and answers {@code code}. */
    FaultHandler answering(ResponseCode code) {
        return g -> {
            if (!g.recoverable()) {
                return;
            }
            if (code == ResponseCode.SUCCESS && g.device().equals(gpuId)) {
                long page = g.address(0) & ~0xfffL;
                if (gpuTable.lookup(page).isEmpty()) {
                    gpuTable.map(page, gpuFrame, 0x1000, Protection.READ_WRITE);
                }
            }
            g.respond(code);
        };
    }

    /** Attaches the devices through the backends' current services (attachments do not survive a swap). */
    void attach() throws InterruptedException {
        SmmuDomains domains = felix.service(SmmuDomains.class, "(iommu.name=" + SMMU + ")");
        domains.attachStage1(gpuId, Pasid.NONE, Domain.unmanaged("gpu0"), gpuTable);
        domains.attachStage1(smmuNic, 1, Domain.sva("nic1"), nicTable);
        VtdIommu vtd = felix.service(VtdIommu.class, "(" + VtdIommu.NAME_PROPERTY + "=" + DMAR + ")");
        vtd.attach(vtdNic, 1, Domain.sva("vtd-nic"), vtdRoot);
    }

    /** Starts a thread that keeps all three devices faulting until {@link #stopFaulting()}. */
    void startFaulting(long seed) {
        faulting.set(true);
        SplittableRandom random = new SplittableRandom(seed);
        devices = new Thread(() -> {
            long n = 0;
            try {
                while (faulting.get()) {
                    long deadline = System.nanoTime() + EmbeddedFelix.WAIT.toNanos();
                    boolean ok = switch (random.nextInt(3)) {
                        case 0 -> smmuFunction.send(SoakMachine.priPage(n, HandlerAct.SUCCESS), 1, deadline);
                        case 1 -> vtdFunction.send(SoakMachine.priPage(n, HandlerAct.SUCCESS), 1, deadline);
                        default -> gpu.issue(HandlerAct.SUCCESS, deadline);
                    };
                    if (!ok) {
                        deviceProblem.set("a device waited " + EmbeddedFelix.WAIT + " for answers (fault " + n + ")");
                        return;
                    }
                    n++;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "felix-devices");
        devices.setDaemon(true);
        devices.start();
    }

    /**
     * Stops the device thread and waits for every answer the devices are owed.
     *
     * @return what went wrong at the devices, or the empty string
     */
    String stopFaulting() throws InterruptedException {
        faulting.set(false);
        devices.join(EmbeddedFelix.WAIT.toMillis());
        long deadline = System.nanoTime() + EmbeddedFelix.WAIT.toNanos();
        if (!gpu.drain(deadline)) {
            return "the stalling master was left stalled";
        }
        for (PriFunction f : List.of(smmuFunction, vtdFunction)) {
            if (!f.awaitAnswers(deadline)) {
                return f + " still waits for " + f.ledger().outstanding() + " answer(s)";
            }
        }
        return deviceProblem.get();
    }

    /**
     * Updates the bundles {@code bsns} names, in turn, {@code times} times while the devices keep faulting (each
     * swap after at least 200 more answers), attaching the devices again after each.
     */
    void swapRepeatedly(List<String> bsns, int times) throws Exception {
        startFaulting(times);
        for (int i = 1; i <= times; i++) {
            long before = answered();
            long deadline = deadline();
            while (answered() < before + 200) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("no faults answered before swap " + i + ": " + stopFaulting());
                }
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
            felix.update(bsns.get(i % bsns.size()), "1.0." + i + ".swap", java.util.Map.of(), () -> { });
            attach();
        }
    }

    /** Groups the PRI functions have had answered. */
    long answered() {
        return smmuFunction.ledger().answered() + vtdFunction.ledger().answered();
    }

    /** What contradicts "every group and every stall got exactly one answer", or the empty string. */
    String exactlyOnceProblems() {
        StringBuilder problems = new StringBuilder();
        for (PriFunction f : List.of(smmuFunction, vtdFunction)) {
            PriFunction.Ledger l = f.ledger();
            if (l.answered() != l.groups() || l.duplicates() != 0 || l.pasidMismatches() != 0) {
                problems.append(f).append(": ").append(l.groups()).append(" groups, ").append(l.answered())
                        .append(" answers, ").append(l.duplicates()).append(" second answers; ");
            }
        }
        if (smmu.stalledTransactions() != 0 || smmu.statistics().resumesUnmatched() != 0) {
            problems.append(smmu.stalledTransactions()).append(" transactions stalled, ")
                    .append(smmu.statistics().resumesUnmatched()).append(" resumes for none");
        }
        return problems.toString();
    }

    /** The deadline of a wait starting now. */
    static long deadline() {
        return System.nanoTime() + EmbeddedFelix.WAIT.toNanos();
    }

    @Override
    public void close() throws Exception {
        faulting.set(false);
        for (ServiceRegistration<?> r : registrations) {
            try {
                r.unregister();
            } catch (IllegalStateException alreadyGone) {
                // unregistered by the test
            }
        }
        felix.close();
    }
}
