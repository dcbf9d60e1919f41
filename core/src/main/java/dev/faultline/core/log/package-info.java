/**
 * Host logging for any bundle that prints per-fault lines: where lines go, and rate limiting as Linux does it
 * ({@code ___ratelimit}, {@code DEFAULT_RATELIMIT_BURST} lines per {@code DEFAULT_RATELIMIT_INTERVAL}).
 *
 * <ul>
 *   <li>{@link dev.faultline.core.log.LogSink}: where a bundle's lines go, by level; {@link
 *       dev.faultline.core.log.OsgiLogSink} writes them to the OSGi log service.</li>
 *   <li>{@link dev.faultline.core.log.RateLimiter}: a burst of lines per interval, counting the rest.</li>
 * </ul>
 *
 * <p>Consumers import {@code [1.1,2.0)}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
@org.jspecify.annotations.NullMarked
package dev.faultline.core.log;
