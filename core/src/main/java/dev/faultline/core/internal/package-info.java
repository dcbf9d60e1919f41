/**
 * The core's fault path, organised by the steps a fault takes. This package assembles the steps; each step is a
 * package of its own. Read them in this order:
 *
 * <ol>
 *   <li>{@link dev.faultline.core.internal.report}: a backend reports a fault on a device
 *       ({@code DevicePort.reportPageRequest}): validate it, stamp it.</li>
 *   <li>{@link dev.faultline.core.internal.group}: park a partial page request, or form its group when the last
 *       request arrives.</li>
 *   <li>{@link dev.faultline.core.internal.route}: find the handler of the device and PASID (attachments, the
 *       whiteboard index, ownership).</li>
 *   <li>{@link dev.faultline.core.internal.dispatch}: call an inline handler, or queue the group for a queued one;
 *       quarantine handlers that fail.</li>
 *   <li>{@link dev.faultline.core.internal.answer}: the group a handler answers, exactly once, and the answer sent
 *       to the backend.</li>
 *   <li>{@link dev.faultline.core.internal.hold}: groups that outlive the report (deferred, queued, waiting for a
 *       replacement handler) and their deadlines.</li>
 *   <li>{@link dev.faultline.core.internal.count}: the counters behind {@code FaultStatistics}.</li>
 *   <li>{@link dev.faultline.core.internal.configure}: the validated settings and handler rules.</li>
 *   <li>{@link dev.faultline.core.internal.log}: the host log policy (rate-limited, never a guest's faults).</li>
 * </ol>
 *
 * <p>Here:
 * <ul>
 *   <li>{@link dev.faultline.core.internal.Core}: the core as a plain object (connects IOMMUs, takes handler
 *       registrations, answers statistics); it builds the steps once, each with the collaborators it uses (the fault
 *       path never calls back into it); built by the component, by {@code StandaloneCore} and by tests.</li>
 *   <li>{@link dev.faultline.core.internal.CoreComponent}: the core as a DS component (PID
 *       {@code dev.faultline.core}), with the handler whiteboard.</li>
 *   <li>{@link dev.faultline.core.internal.HandlerControlComponent}: the core's {@code HandlerControl} service.</li>
 * </ul>
 */
package dev.faultline.core.internal;
