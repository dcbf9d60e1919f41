package dev.faultline.platform.machine;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.PlatformDeviceName;
import java.util.Objects;

/**
 * One DMA-capable device as the machine's firmware describes it (ACPI IORT / device tree): which IOMMU it sits
 * behind, its requester id there, and what fault handling it supports. IOMMU drivers learn their devices from
 * these nodes, as Linux does from firmware.
 *
 * @param id the device's id for the fault core (PCI requester id, stream id or platform name)
 * @param iommu the name of the IOMMU it is behind (e.g. {@code smmuv3.0}, {@code dmar0})
 * @param requesterId its StreamID (SMMUv3) or requester id (VT-d)
 * @param pri whether it has a PCIe PRI capability (and ATS)
 * @param stallCapable whether it tolerates stalled transactions (firmware {@code dma-can-stall})
 */
public record DeviceNode(DeviceId id, String iommu, int requesterId, boolean pri, boolean stallCapable) {
    /**
     * The platform device name prefix no machine uses: names under it are kept for devices of other machines that
     * tools add to the fault core beside this machine's (a replayed kernel log's devices), so that they never take
     * one of this machine's ids.
     */
    public static final String FOREIGN_PREFIX = "replay/";

    /**
     * Validates the node.
     *
     * @throws IllegalArgumentException for a blank IOMMU name, or a platform name under {@value #FOREIGN_PREFIX}
     *     (kept for other machines' devices, {@link #isForeign})
     */
    public DeviceNode {
        Objects.requireNonNull(id, "id");
        if (isForeign(id)) {
            throw new IllegalArgumentException("device " + id + ": platform names under " + FOREIGN_PREFIX
                    + " are reserved for replayed logs' devices");
        }
        if (iommu == null || iommu.isBlank()) {
            throw new IllegalArgumentException("device " + id + " needs the IOMMU it is behind");
        }
    }

    /**
     * Reads the text form {@code <device id>@<iommu>:<requester id>[:pri][:stall]}, e.g.
     * {@code 0000:03:00.0@smmuv3.0:0x300:pri} or {@code platform:gpu0@smmuv3.0:0x42:stall}.
     *
     * @throws IllegalArgumentException with the expected form if {@code text} does not match it
     */
    public static DeviceNode parse(String text) {
        int at = text == null ? -1 : text.lastIndexOf('@');
        if (at <= 0) {
            throw new IllegalArgumentException("device node '" + text
                    + "' is not <device id>@<iommu>:<requester id>[:pri][:stall]");
        }
        String[] rest = text.substring(at + 1).split(":");
        if (rest.length < 2) {
            throw new IllegalArgumentException("device node '" + text + "' lacks the requester id");
        }
        boolean pri = false;
        boolean stall = false;
        for (int i = 2; i < rest.length; i++) {
            switch (rest[i]) {
                case "pri" -> pri = true;
                case "stall" -> stall = true;
                default -> throw new IllegalArgumentException("device node '" + text + "': unknown flag '"
                        + rest[i] + "' (pri, stall)");
            }
        }
        long rid;
        try {
            rid = rest[1].startsWith("0x") ? Long.parseLong(rest[1].substring(2), 16) : Long.parseLong(rest[1]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("device node '" + text + "': bad requester id '" + rest[1] + "'", e);
        }
        if (rid < 0 || rid > 0xffff_ffffL) {
            throw new IllegalArgumentException("device node '" + text + "': requester id does not fit 32 bits");
        }
        return new DeviceNode(DeviceId.parse(text.substring(0, at)), rest[0], (int) rid, pri, stall);
    }

    /** Whether {@code device} is a platform name under {@value #FOREIGN_PREFIX}, which no machine may use. */
    public static boolean isForeign(DeviceId device) {
        return device instanceof PlatformDeviceName p && p.name().startsWith(FOREIGN_PREFIX);
    }

    /** The text form {@link #parse} reads. */
    @Override
    public String toString() {
        return id + "@" + iommu + ":0x" + Integer.toHexString(requesterId) + (pri ? ":pri" : "")
                + (stallCapable ? ":stall" : "");
    }
}
