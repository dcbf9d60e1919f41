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
 *       to answer later, from any thread.</li>
 *   <li>{@link dev.faultline.api.handler.HandlerProperties} and
 *       {@link dev.faultline.api.handler.FaultHandlerTarget}: the service properties saying what a handler
 *       serves (whiteboard pattern).</li>
 * </ul>
 *
 * <p>Handler bundles import {@code [1.1,2.0)} (or {@code [1.0,2.0)} if they use no 1.1 addition); the core imports {@code [1.1,1.2)}.
 */
@org.osgi.annotation.bundle.Export
@org.jspecify.annotations.NullMarked
@org.osgi.annotation.versioning.Version("1.2.0")
package dev.faultline.api.handler;
