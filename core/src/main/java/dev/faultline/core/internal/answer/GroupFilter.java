package dev.faultline.core.internal.answer;

import dev.faultline.core.internal.route.Attachment;

/** Selects the groups of one device that a change of owner affects, by their PASID and the attachment they carry. */
@FunctionalInterface
public interface GroupFilter {
    /**
     * @param pasid the group's (last request's) PASID, or {@link dev.faultline.api.fault.Pasid#NONE}
     * @param attachment the attachment the group was formed under, or {@code null}
     */
    boolean test(int pasid, Attachment attachment);

    /** Every group of the device. */
    GroupFilter ALL = (pasid, attachment) -> true;
}
