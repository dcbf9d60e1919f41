package dev.faultline.soak.simulation;

/**
 * A run broke an invariant: the message names the seed, the step and virtual time, what broke, the one command that
 * replays the run, and the trace's last lines.
 */
final class SimulationFailure extends AssertionError {
    private static final long serialVersionUID = 1L;

    private final long seed;
    private final String violation;
    private final long step;
    private final transient String trace;

    SimulationFailure(Simulation.Config config, long step, long virtualNanos, String violation, String traceTail,
            String trace) {
        super("simulation seed " + config.seed() + " failed at step " + step + " (virtual time "
                + (virtualNanos - Scheduler.ORIGIN) + " ns): " + violation + "\nreplay: " + config.replayCommand()
                + "\nlast events of the trace:\n" + traceTail);
        this.seed = config.seed();
        this.violation = violation;
        this.step = step;
        this.trace = trace;
    }

    /** The whole trace up to the failure, if the run kept it. */
    String trace() {
        return trace;
    }

    long seed() {
        return seed;
    }

    /** What broke. */
    String violation() {
        return violation;
    }

    /** The step (events run, nested ones included) after which it was seen. */
    long step() {
        return step;
    }
}
