package dev.faultline.console.internal.state;

import dev.faultline.api.stats.FaultStatistics;
import dev.faultline.viommu.VirtualIommu;
import dev.faultline.viommu.VirtualIommus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Reads the core's {@link FaultStatistics} and the guests' {@link VirtualIommus} for the console, the metrics
 * endpoint and the MBeans. Reading takes no lock a running fault thread takes per fault: the core's counters are
 * summed from its per-thread lanes; a guest's statistics take only that guest's own short lock.
 *
 * <p>Thread-safe.
 */
@Component(service = Observer.class)
public final class Observer {
    private final FaultStatistics statistics;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile VirtualIommus guests;

    /** The component. */
    @Activate
    public Observer(@Reference FaultStatistics statistics) {
        this.statistics = statistics;
    }

    /** An observer of {@code statistics} and {@code guests} (may be {@code null}: no guests), outside a framework. */
    public Observer(FaultStatistics statistics, VirtualIommus guests) {
        this.statistics = statistics;
        this.guests = guests;
    }

    /** The core's statistics service. */
    public FaultStatistics statistics() {
        return statistics;
    }

    /** Reads everything now. */
    public Observation observe() {
        return new Observation(System.nanoTime(), statistics.totals(), statistics.devices(), statistics.handlers(),
                statistics.pending(), guests(), statistics.iommus(), statistics.answerLatency());
    }

    /** The open guests, by name. */
    public List<GuestView> guests() {
        VirtualIommus host = guests;
        if (host == null) {
            return List.of();
        }
        List<GuestView> out = new ArrayList<>();
        for (VirtualIommu guest : host.guests()) {
            if (!guest.closed()) {
                out.add(new GuestView(guest.name(), guest.limits(), guest.statistics()));
            }
        }
        out.sort(Comparator.comparing(GuestView::name));
        return out;
    }
}
