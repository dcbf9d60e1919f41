package dev.faultline.drivers.usnic;

/**
 * A snapshot of a usNIC virtual function.
 *
 * @param device the VF's PCI requester id text
 * @param domain the name of its protection domain's IOMMU domain
 * @param registrations memory registrations in place
 * @param completedDma NIC accesses that reached memory
 * @param failedDma NIC accesses the IOMMU terminated (their faults are the core's to report and count)
 */
public record UsnicStatus(String device, String domain, int registrations, long completedDma, long failedDma) {
}
