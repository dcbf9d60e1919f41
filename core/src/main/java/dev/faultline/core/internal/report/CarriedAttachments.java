package dev.faultline.core.internal.report;

import dev.faultline.core.internal.route.Attachment;
import dev.faultline.core.internal.route.PasidMap;
import org.jspecify.annotations.Nullable;

/**
 * A device's attachments kept across a backend swap: the PASID-less one (or {@code null}) and those by PASID.
 *
 * @param noPasid the PASID-less attachment, or {@code null}
 * @param byPasid the attachments by PASID
 */
public record CarriedAttachments(@Nullable Attachment noPasid, PasidMap<Attachment> byPasid) {

    boolean isEmpty() {
        return noPasid == null && byPasid.size() == 0;
    }
}
