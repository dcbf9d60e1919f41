/**
 * For backends that drain an IOMMU's hardware fault queues on a thread of their own and report each record
 * into the core: {@link dev.faultline.core.queue.QueuePass}, the right to consume those queues, which moves to a
 * fresh thread when a handler holds a report call past the core's blocking threshold
 * ({@link dev.faultline.api.backend.IommuBackend#reportingThreadBlocked()}), so one blocked handler never stalls
 * the other devices behind the same IOMMU (1.1: {@code passWithin} for a teardown's drain, {@code successor} and
 * {@code handOver} to a scheduler of the backend's choice; 1.2: {@code tryEnter} for a backend driven without
 * threads).
 *
 * <p>Consumers import {@code [1.0,2.0)}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
@org.jspecify.annotations.NullMarked
package dev.faultline.core.queue;
