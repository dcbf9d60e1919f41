package dev.faultline.vtd.internal;

import dev.faultline.platform.vtd.UnitCounters;
import java.util.List;

/**
 * One unit as the {@code faultline:vtd} command shows it.
 *
 * @param unit the unit's name
 * @param segment its PCI segment
 * @param translating whether GSTS.TES is set
 * @param tookOver whether the driver adopted a running unit
 * @param attachments device, PASID and domain of each attachment
 * @param driver the driver's counters
 * @param hardware the unit's counters
 */
public record VtdStatus(String unit, int segment, boolean translating, boolean tookOver, List<String> attachments,
        DriverCounters driver, UnitCounters hardware) {

    /** Copies the attachment list. */
    public VtdStatus {
        attachments = List.copyOf(attachments);
    }
}
