package dev.faultline.core.internal;

/**
 * A device's attachments kept across a backend swap: the PASID-less one (or {@code null}) and those by PASID.
 *
 * @param noPasid the PASID-less attachment, or {@code null}
 * @param byPasid the attachments by PASID
 */
record CarriedAttachments(Attachment noPasid, PasidMap<Attachment> byPasid) {

    boolean isEmpty() {
        return noPasid == null && byPasid.size() == 0;
    }
}
