package dev.faultline.core.internal;

import dev.faultline.api.backend.Domain;

/**
 * A domain attached to a device (or one PASID of it), with the domain's handler slot resolved once at attach
 * time so that routing a fault is two reads.
 *
 * @param domain the domain
 * @param slot where the domain's current handler is published
 */
record Attachment(Domain domain, HandlerSlot slot) {
}
