package dev.faultline.launcher.internal.shell;

/** The records {@link MachineCommands} return: one line each in the shell. */
final class MachineView {
    private MachineView() {
    }

    /**
     * An IOMMU of the machine.
     *
     * @param name its name, e.g. {@code smmuv3.0}
     * @param model the hardware model, e.g. {@code Smmu}
     * @param devices devices the firmware lists behind it
     * @param backend whether a backend drives it (registers its domain service)
     */
    record Iommu(String name, String model, int devices, boolean backend) {
        @Override
        public String toString() {
            return String.format("%-10s %-14s %2d devices  %s", name, model, devices,
                    backend ? "backend running" : "no backend");
        }
    }

    /**
     * A device of the machine and what the core counted for it.
     *
     * @param device the canonical id
     * @param iommu the IOMMU it is behind
     * @param requesterId its requester id (StreamID or PCI RID)
     * @param faults how its faults reach software: {@code pri}, {@code stall} or {@code terminate}
     * @param reported faults the core received from it (0 if the core never saw it)
     * @param unanswered groups of it waiting for an answer
     */
    record Device(String device, String iommu, int requesterId, String faults, long reported, long unanswered) {
        @Override
        public String toString() {
            return String.format("%-16s %-9s rid 0x%04x %-9s %6d faults %3d pending", device, iommu, requesterId,
                    faults, reported, unanswered);
        }
    }

    /**
     * A domain a handler serves.
     *
     * @param domain the domain name
     * @param handler the handler's name
     * @param bundle the handler's bundle
     * @param answered groups it answered
     */
    record Domain(String domain, String handler, String bundle, long answered) {
        @Override
        public String toString() {
            return String.format("%-20s %-50s %s, %d answered", domain, handler, bundle, answered);
        }
    }

    /**
     * How one DMA access ended.
     *
     * @param device the device
     * @param access {@code read}, {@code write} or {@code fetch} at an address, with PASID
     * @param status the platform's {@code DmaStatus}
     * @param physicalAddress where it landed, when it completed
     * @param pageRequests page requests it took
     * @param stalls stalls it went through
     */
    record DmaOutcome(String device, String access, String status, long physicalAddress, int pageRequests,
            int stalls) {
        @Override
        public String toString() {
            return String.format("%s %s: %s%s, %d page requests, %d stalls", device, access, status,
                    status.equals("COMPLETED") ? String.format(" at pa 0x%x", physicalAddress) : "", pageRequests,
                    stalls);
        }
    }
}
