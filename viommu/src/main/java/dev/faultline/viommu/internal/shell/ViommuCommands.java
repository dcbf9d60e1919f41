package dev.faultline.viommu.internal.shell;

import dev.faultline.viommu.GuestStatistics;
import dev.faultline.viommu.VirtualIommu;
import dev.faultline.viommu.VirtualIommus;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Gogo commands {@code faultline:viommus} and {@code faultline:viommu}: guests' virtual IOMMU counters. */
@Component(service = ViommuCommands.class, property = {
    "osgi.command.scope=faultline",
    "osgi.command.function=viommus",
    "osgi.command.function=viommu"
})
public final class ViommuCommands {
    private final VirtualIommus viommus;

    /** Commands over the virtual IOMMU service. */
    @Activate
    public ViommuCommands(@Reference VirtualIommus viommus) {
        this.viommus = viommus;
    }

    /** Every open guest's counters, by guest name. */
    @Descriptor("counters of every guest's virtual IOMMU")
    public Map<String, GuestStatistics> viommus() {
        Map<String, GuestStatistics> out = new LinkedHashMap<>();
        for (VirtualIommu guest : viommus.guests()) {
            out.put(guest.name(), guest.statistics());
        }
        return out;
    }

    /**
     * One guest's counters.
     *
     * @throws IllegalArgumentException if the guest has no open virtual IOMMU
     */
    @Descriptor("counters of one guest's virtual IOMMU")
    public GuestStatistics viommu(@Descriptor("the guest's name") String guest) {
        return viommus.guest(guest).map(VirtualIommu::statistics)
                .orElseThrow(() -> new IllegalArgumentException("no open virtual IOMMU for guest " + guest));
    }
}
