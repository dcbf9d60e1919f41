package dev.faultline.shell.internal.shell;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.core.shell.CommandArguments;
import dev.faultline.platform.dma.DmaDevice;
import dev.faultline.platform.dma.PriCapability;
import dev.faultline.platform.dma.TranslationPort;
import dev.faultline.platform.machine.DeviceNode;
import dev.faultline.platform.machine.Machine;

/** What the machine commands share: the device an argument names, and a DMA master acting as that device. */
final class MachineDevices {
    /** Outstanding page requests a device's PRI capability allows (the demo's devices use the same). */
    private static final int PRI_CREDITS = 32;

    private MachineDevices() {
    }

    /**
     * The device named by the argument {@code <device>} of {@code args}.
     *
     * @throws dev.faultline.core.shell.UsageException when it is not a device id
     * @throws IllegalArgumentException when the machine has no such device
     */
    static DeviceNode node(Machine machine, CommandArguments args) {
        DeviceId id;
        try {
            id = DeviceId.parse(args.text("device"));
        } catch (IllegalArgumentException e) {
            throw args.error("<device> is a device id such as 0000:05:00.2 or platform:gpu0, not '"
                    + args.text("device") + "'");
        }
        return machine.devices().stream().filter(n -> n.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no device " + id + " on the machine (see"
                        + " faultline:devices)"));
    }

    /** The port of the IOMMU {@code node} sits behind. */
    static TranslationPort port(Machine machine, DeviceNode node) {
        return machine.iommu(node.iommu()).orElseThrow(() -> new IllegalStateException(
                "IOMMU " + node.iommu() + " of " + node.id() + " is not installed"));
    }

    /**
     * A DMA master with {@code node}'s requester id: with an enabled PRI capability (PASIDs allowed when
     * {@code withPasid}) when the firmware says the device has one. Disconnect a PRI master from the port after
     * use ({@link TranslationPort#disconnect}).
     */
    static DmaDevice master(Machine machine, DeviceNode node, TranslationPort port, String name, boolean withPasid) {
        if (!node.pri()) {
            return DmaDevice.of(name, node.requesterId(), port, machine.memory());
        }
        PriCapability pri = new PriCapability(PRI_CREDITS, withPasid);
        pri.enable();
        return DmaDevice.withPri(name, node.requesterId(), port, machine.memory(), pri);
    }

    /** How the device's translation faults reach software: page requests, stalls, or unrecoverable records. */
    static String faultsVia(DeviceNode node) {
        return node.pri() ? "pri" : node.stallCapable() ? "stall" : "terminate";
    }
}
