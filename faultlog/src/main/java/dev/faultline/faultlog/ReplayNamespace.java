package dev.faultline.faultlog;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Fault;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.PciRequesterId;
import dev.faultline.api.fault.PlatformDeviceName;
import dev.faultline.api.fault.UnrecoverableFault;
import dev.faultline.platform.machine.DeviceNode;

/**
 * The devices of a replayed log, kept apart from the simulated machine's. A log names the devices of the machine
 * it came from: its {@code sid:0x42} or {@code 0000:00:02.0} is not the simulated device of the same number,
 * and the same StreamID behind two SMMUs of that machine is two devices. So a replay adds each of them to the
 * core as a platform device named under {@value #PREFIX}, with the IOMMU instance the log printed:
 * {@code platform:replay/arm-smmu-v3.0.auto/sid:0x42}, {@code platform:replay/dmar15/0000:6a:02.0},
 * {@code platform:replay/0000:00:02.0} (a DMAR line names no unit), {@code platform:replay/remoteproc2}.
 * The machine refuses device names under that prefix ({@link #isReserved}), so a replay never takes a simulated
 * device's id nor fails because the simulated machine has a device of the same number.
 */
public final class ReplayNamespace {
    /** The platform device name prefix reserved for replayed devices. */
    public static final String PREFIX = DeviceNode.FOREIGN_PREFIX;

    private ReplayNamespace() {
    }

    /** Whether {@code device} is in the replay namespace (a simulated machine must not use such names). */
    public static boolean isReserved(DeviceId device) {
        return DeviceNode.isForeign(device);
    }

    /** The replay device of {@code fault}, which {@code decoded} converted to. */
    public static DeviceId deviceOf(DecodedFault decoded, Fault fault) {
        // A platform device by its bare name; a stream id or requester id in its canonical form.
        String id = fault.device() instanceof PlatformDeviceName p ? p.name() : fault.device().toString();
        String iommu = decoded.text(FaultField.DEVICE).orElse("");
        boolean namesTheIommu = !iommu.isEmpty() && !iommu.equals(id)
                && !(fault.device() instanceof PciRequesterId r && sameRequester(iommu, r));
        return new PlatformDeviceName(PREFIX + (namesTheIommu ? iommu + "/" : "") + id);
    }

    /** {@code fault} as reported by {@code device} instead. */
    static Fault on(DeviceId device, Fault fault) {
        if (fault instanceof PageRequest p) {
            return new PageRequest(device, p.pasid(), p.groupId(), p.lastPage(), p.address(), p.permissions(),
                    p.privateData0(), p.privateData1(), p.responseNeedsPasid());
        }
        UnrecoverableFault u = (UnrecoverableFault) fault;
        return new UnrecoverableFault(device, u.flags(), u.pasid(), u.permissions(), u.address(), u.fetchAddress(),
                u.record());
    }

    /** AMD logs print the faulting device itself as the device ({@code 05:00.0}). */
    private static boolean sameRequester(String printed, PciRequesterId id) {
        try {
            return DeviceId.parse(printed).equals(id);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
