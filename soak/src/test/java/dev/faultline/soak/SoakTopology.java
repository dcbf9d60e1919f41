package dev.faultline.soak;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.PciRequesterId;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.platform.arm.Protection;
import dev.faultline.platform.arm.TranslationTable;
import dev.faultline.platform.dma.AccessType;
import dev.faultline.platform.dma.DmaAccess;
import dev.faultline.platform.dma.DmaDevice;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * The hardware both chaos soaks run on (on real threads, {@link SoakMachine}, and in the deterministic simulation)
 * and what each device is attached to: one SMMUv3 (two stalling masters, four PRI functions, one terminating
 * master) and one VT-d unit (four PRI functions, one terminating master) in one memory, a domain per device. Its
 * queues are small (32 events, 64 PRI entries) so that the gaps of the swaps and the bursts overflow them. It
 * attaches the domains through a driver, re-plugs and detaches devices, and bursts unrecoverable faults; the
 * devices that fault and the handlers are the caller's, made through {@link Parts}.
 *
 * <p>Handlers are registered for their domain and for their devices, so a new driver's faults reach them before
 * the domains are attached again (attachments are not carried over a driver swap).
 */
public final class SoakTopology {
    public static final String SMMU = "smmuv3.0";
    public static final String DMAR = "dmar0";
    /** The handlers' deadline. */
    public static final long TIMEOUT_MILLIS = 20;
    /** log2 of the drivers' event and PRI queue entries. */
    public static final int PRI_QUEUE_LOG2 = 6;
    /** Where the PRI functions' pages are. */
    public static final long PRI_PAGES = 0x7f00_0000_0000L;
    private static final int EVENT_QUEUE_LOG2 = 5;

    /** What the caller makes for each device, in the order of the devices. */
    public interface Parts {
        /** The handler of {@code domain}; {@code pageIn} maps a page of its stalling master (else null). */
        void handler(String domain, LongConsumer pageIn, boolean queued);

        /** A stalling master behind {@code smmu} and its domain's table. */
        void stallingMaster(DeviceNode node, Smmu smmu, TranslationTable table);

        /** A PRI function behind {@code port} that uses {@code pasid}. */
        void priFunction(DeviceId id, int requesterId, int pasid, TranslationPort port);
    }

    public final Machine machine = Machine.create("soak", 0x4000_0000L, 0x4000_0000L);
    public final Smmu smmu = new Smmu(SMMU, SmmuFeatures.defaults().withQueues(EVENT_QUEUE_LOG2, PRI_QUEUE_LOG2, 8),
            machine.memory());
    public final RemappingUnit unit = new RemappingUnit(UnitConfiguration.standard(DMAR, 0, 8, 1L << 40),
            machine.memory());
    private final DmaDevice smmuNoise;
    private final DmaDevice vtdNoise;
    private final Map<String, Map<String, Object>> handlerProperties = new LinkedHashMap<>();
    private final Map<DeviceId, Attachment> attachments = new LinkedHashMap<>();
    private final Map<String, DeviceNode> nodes = new HashMap<>();

    /** What a device is attached to, to attach it again after a driver swap or a re-plug. */
    private record Attachment(DeviceId device, int pasid, Domain domain, TranslationTable smmuTable, long vtdRoot) {
    }

    /** Builds the machine; {@code parts} makes each device's handler and faulting device, in this order. */
    public SoakTopology(Parts parts) {
        machine.addIommu(smmu);
        machine.addIommu(unit);
        for (int i = 0; i < 2; i++) {
            String name = "gpu" + i;
            DeviceNode node = node("platform:" + name + "@" + SMMU + ":0x" + Integer.toHexString(0x10 + i) + ":stall");
            TranslationTable table = TranslationTable.stage1(machine.frames(), 48);
            long frame = machine.frames().allocatePage();
            handler(parts, name, page -> pageIn(table, page, frame), false, node.id());
            attachments.put(node.id(), new Attachment(node.id(), Pasid.NONE, Domain.unmanaged(name), table, 0));
            parts.stallingMaster(node, smmu, table);
        }
        for (int i = 0; i < 4; i++) {
            String name = "sva" + i;
            DeviceNode node = node(String.format("0000:01:00.%d@%s:0x%x:pri", i, SMMU, 0x100 + i));
            // one queued handler: its hangs block its thread and fill its queue
            handler(parts, name, null, i == 3, node.id());
            attachments.put(node.id(), new Attachment(node.id(), i + 1, Domain.sva(name),
                    TranslationTable.stage1(machine.frames(), 48), 0));
            parts.priFunction(node.id(), node.requesterId(), i + 1, smmu);
        }
        DeviceNode dsp = node("platform:dsp0@" + SMMU + ":0x30");
        handler(parts, "dsp0", null, false, dsp.id());
        attachments.put(dsp.id(), new Attachment(dsp.id(), Pasid.NONE, Domain.unmanaged("dsp0"),
                TranslationTable.stage1(machine.frames(), 48), 0));
        smmuNoise = DmaDevice.of("dsp0", dsp.requesterId(), smmu, machine.memory());
        for (int i = 0; i < 4; i++) {
            String name = "vtd" + i;
            PciRequesterId id = new PciRequesterId(0, 2, 0, i);
            handler(parts, name, null, false, id);
            attachments.put(id, new Attachment(id, i + 1, Domain.sva(name), null,
                    new FirstLevelPageTable(machine.frames(), FirstLevelPageTable.PAGE_4K).root()));
            parts.priFunction(id, id.rid(), i + 1, unit);
        }
        PciRequesterId nic = new PciRequesterId(0, 2, 8, 0);
        handler(parts, "vtd-nic", null, false, nic);
        attachments.put(nic, new Attachment(nic, Pasid.NONE, Domain.dma("vtd-nic"), null,
                new FirstLevelPageTable(machine.frames(), FirstLevelPageTable.PAGE_4K).root()));
        vtdNoise = DmaDevice.of("vtd-nic", nic.rid(), unit, machine.memory());
    }

    private DeviceNode node(String text) {
        DeviceNode node = DeviceNode.parse(text);
        machine.addDevice(node);
        nodes.put(node.id().toString(), node);
        return node;
    }

    private void handler(Parts parts, String domain, LongConsumer pageIn, boolean queued, DeviceId device) {
        Map<String, Object> props = new HashMap<>();
        props.put(HandlerProperties.DOMAIN, domain);
        props.put(HandlerProperties.DEVICE, device.toString());
        props.put(HandlerProperties.TIMEOUT_MS, TIMEOUT_MILLIS);
        props.put(HandlerProperties.DISPATCH, queued ? HandlerProperties.DISPATCH_QUEUED
                : HandlerProperties.DISPATCH_INLINE);
        handlerProperties.put(domain, props);
        parts.handler(domain, pageIn, queued);
    }

    private static void pageIn(TranslationTable table, long page, long frame) {
        if (table.lookup(page).isEmpty()) {
            try {
                table.map(page, frame, 0x1000, Protection.READ_WRITE);
            } catch (IllegalStateException mappedMeanwhile) {
                // another fault of the same page mapped it first
            }
        }
    }

    /** The service properties of the handler of {@code domain}. */
    public Map<String, Object> properties(String domain) {
        return handlerProperties.get(domain);
    }

    /** The device the handler of {@code domain} serves. */
    public String deviceOf(String domain) {
        return (String) handlerProperties.get(domain).get(HandlerProperties.DEVICE);
    }

    /** The domains, in the order of their devices. */
    public List<String> domains() {
        return new ArrayList<>(handlerProperties.keySet());
    }

    /** The devices that have a domain, in order. */
    public List<DeviceId> devices() {
        return new ArrayList<>(attachments.keySet());
    }

    /** Whether {@code device} is behind the SMMU. */
    public boolean behindSmmu(DeviceId device) {
        return attachments.get(device).smmuTable() != null;
    }

    /** Attaches the SMMU's devices that {@code driver} knows to their domains. */
    public void attachSmmu(SmmuDomains driver) {
        for (Attachment a : attachments.values()) {
            if (a.smmuTable() != null && driver.devices().contains(a.device())) {
                driver.attachStage1(a.device(), a.pasid(), a.domain(), a.smmuTable());
            }
        }
    }

    /** Attaches the VT-d unit's devices to their domains. */
    public void attachVtd(VtdIommu driver) {
        for (Attachment a : attachments.values()) {
            if (a.smmuTable() == null) {
                driver.attach((PciRequesterId) a.device(), a.pasid(), a.domain(), a.vtdRoot());
            }
        }
    }

    /** Unplugs an SMMUv3 device (PRI function or stalling master) and plugs it back. */
    public void replugSmmuDevice(DeviceId id, SmmuDomains driver) {
        machine.removeDevice(id);
        machine.addDevice(nodes.get(id.toString()));
        Attachment a = attachments.get(id);
        driver.attachStage1(a.device(), a.pasid(), a.domain(), a.smmuTable());
    }

    /** Removes a VT-d function from the driver (its context cleared, its groups answered) and adds it back. */
    public void replugVtdDevice(PciRequesterId id, VtdIommu driver) {
        driver.removeDevice(id);
        Attachment a = attachments.get(id);
        driver.attach(id, a.pasid(), a.domain(), a.vtdRoot());
    }

    /** Detaches a device's domain while its faults are in flight, then attaches it again. */
    public void detachAndReattach(DeviceId id, SmmuDomains smmuDriver, VtdIommu vtdDriver) {
        Attachment a = attachments.get(id);
        if (a.smmuTable() != null) {
            smmuDriver.detach(id, a.pasid());
            smmuDriver.attachStage1(a.device(), a.pasid(), a.domain(), a.smmuTable());
        } else {
            vtdDriver.detach((PciRequesterId) id, a.pasid());
            vtdDriver.attach((PciRequesterId) id, a.pasid(), a.domain(), a.vtdRoot());
        }
    }

    /** A burst of {@code n} unrecoverable faults from each terminating master (overflows the event queue). */
    public void unrecoverableBurst(int n, long firstAddress) {
        for (int i = 0; i < n; i++) {
            long address = firstAddress + ((long) i << 12);
            smmuNoise.start(new DmaAccess(0x30, Pasid.NONE, address, AccessType.READ, false, 8, false));
            vtdNoise.start(new DmaAccess(vtdNoise.requesterId(), Pasid.NONE, address, AccessType.WRITE, false, 8,
                    false));
        }
    }
}
