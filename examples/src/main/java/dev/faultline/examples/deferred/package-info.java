/**
 * Example: a handler that answers from another thread ({@link dev.faultline.api.handler.FaultGroup#defer()}).
 *
 * <ul>
 *   <li>{@link dev.faultline.examples.deferred.DeferredFaults}: defers every page request group to a worker
 *       thread of its own, which runs a {@link dev.faultline.examples.deferred.SlowPath} and answers before
 *       the group's deadline.</li>
 * </ul>
 */
@org.osgi.annotation.bundle.Export
@org.jspecify.annotations.NullMarked
@org.osgi.annotation.versioning.Version("1.1.0")
package dev.faultline.examples.deferred;
