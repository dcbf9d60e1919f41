package dev.faultline.launcher.internal.shell;

/**
 * What {@code faultline:swap} did to one bundle.
 *
 * @param bundle the symbolic name
 * @param id the bundle id (unchanged by the swap)
 * @param fromVersion the version before
 * @param toVersion the version after
 * @param source where the new content came from: the jar or URL given, or the bundle's own location
 * @param state the bundle state afterwards ({@code ACTIVE} when it went well)
 * @param micros how long stop, update, refresh and start took, in microseconds
 */
public record BundleSwap(String bundle, long id, String fromVersion, String toVersion, String source, String state,
        long micros) {

    @Override
    public String toString() {
        return String.format("swapped %s [%d] %s -> %s from %s: %s in %.1f ms", bundle, id, fromVersion, toVersion,
                source, state, micros / 1000.0);
    }
}
