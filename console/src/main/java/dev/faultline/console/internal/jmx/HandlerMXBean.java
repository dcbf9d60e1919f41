package dev.faultline.console.internal.jmx;

/** {@code dev.faultline:type=Handler,name="<handler>",id=<service id>}: one handler's state and counters. */
public interface HandlerMXBean extends CountsMXBean, LatencyMXBean {
    /** The handler's name. */
    String getName();

    /** The symbolic name of its bundle. */
    String getBundle();

    /** Its {@code service.id}. */
    long getServiceId();

    /** Its state, e.g. {@code ACTIVE} or {@code QUARANTINED}. */
    String getState();

    /** {@code inline} or {@code queued}. */
    String getDispatch();

    /** The deadline of its deferred and queued groups, in milliseconds. */
    long getDeadlineMillis();

    /** The domains it serves. */
    String[] getDomains();

    /** The devices it serves. */
    String[] getDevices();

    /**
     * Releases the handler from quarantine now, without probation ({@code faultline:release}).
     *
     * @return its state afterwards, or why nothing was released
     */
    String release();
}
