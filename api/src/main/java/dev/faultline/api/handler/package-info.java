/**
 * The one fault-handler SPI, replacing both {@code report_iommu_fault()} and the old split between
 * recoverable and unrecoverable faults.
 *
 * <ul>
 *   <li>{@link dev.faultline.api.handler.FaultHandler} ({@code @ConsumerType}): what a driver bundle
 *       registers, with Declarative Services, to receive every fault of its domain or device.</li>
 *   <li>{@link dev.faultline.api.handler.FaultGroup} ({@code @ProviderType}): the group the core hands a
 *       handler; it answers for itself, exactly once.</li>
 *   <li>{@link dev.faultline.api.handler.DeferredGroup} ({@code @ProviderType}): a group a handler keeps
 *       to answer later, from any thread; {@link dev.faultline.api.handler.DeferredTokens} the same, named by a
 *       primitive token, without an object per group (1.3).</li>
 *   <li>{@link dev.faultline.api.handler.HandlerProperties} and
 *       {@link dev.faultline.api.handler.FaultHandlerTarget}: the service properties saying what a handler
 *       serves (whiteboard pattern).</li>
 * </ul>
 *
 * <p>A handler bundle imports from the minor version whose additions it uses up to 2.0 (e.g. {@code [1.3,2.0)} for
 * tokens); the core, which provides the package, imports up to the next minor ({@code [1.3,1.4)}).
 */
@org.osgi.annotation.bundle.Export
@org.jspecify.annotations.NullMarked
@org.osgi.annotation.versioning.Version("1.3.0")
package dev.faultline.api.handler;
