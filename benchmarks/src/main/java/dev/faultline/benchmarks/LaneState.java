package dev.faultline.benchmarks;

/** The thread-scoped half of a dispatch benchmark: the calling thread's {@link Lane}, claimed from a {@link PathState}. */
public abstract class LaneState {
    private Lane lane;

    /** Claims the next lane of {@code state}; each concrete subclass calls it from its {@code @Setup}. */
    protected final void claim(PathState state) {
        lane = state.claimLane();
    }

    /** Dispatches this thread's next fault. */
    public final int next() {
        return lane.next();
    }
}
