package dev.faultline.faultlog;

import java.util.Objects;
import java.util.Optional;

/**
 * What an {@link IncidentReplay} did.
 *
 * @param replay the reports replayed through the core in the replay namespace
 * @param drivers the reports delivered to the simulated machine's drivers, when devices were mapped
 */
public record IncidentReport(ReplayReport replay, Optional<DriverReplayReport> drivers) {

    /** Checks. */
    public IncidentReport {
        Objects.requireNonNull(replay, "replay");
        Objects.requireNonNull(drivers, "drivers");
    }

    /** Whether the core replay was clean and no delivery to a driver failed. */
    public boolean clean() {
        return replay.clean() && drivers.map(d -> d.errors().isEmpty()).orElse(true);
    }

    /** Both reports as text for people. */
    public String render() {
        return replay.render() + drivers.map(DriverReplayReport::render).orElse("");
    }

    @Override
    public String toString() {
        return render();
    }
}
