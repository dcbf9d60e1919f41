/**
 * Log rate limiting as Linux does it ({@code ___ratelimit}, {@code DEFAULT_RATELIMIT_BURST} lines per
 * {@code DEFAULT_RATELIMIT_INTERVAL}), for any bundle that prints per-fault lines.
 *
 * <ul>
 *   <li>{@link dev.faultline.core.log.RateLimiter}: a burst of lines per interval, counting the rest.</li>
 * </ul>
 *
 * <p>Consumers import {@code [1.0,2.0)}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.faultline.core.log;
