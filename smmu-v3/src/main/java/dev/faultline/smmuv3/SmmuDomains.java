package dev.faultline.smmuv3;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.platform.arm.TranslationTable;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Attaches the devices behind one SMMUv3 to domains: programs the STE and context descriptors, and tells the
 * fault core which domain now owns the device's (or PASID's) faults. Registered as an OSGi service per SMMU,
 * with service property {@code iommu.name}.
 *
 * <p>The devices are those the machine's firmware places behind this SMMU; stall or PRI reporting is enabled
 * per device as firmware describes it. A device with nothing attached aborts its DMA without fault records.
 *
 * <p>Thread-safe. Methods throw {@link IllegalStateException} once the driver has stopped; the service is
 * unregistered first.
 *
 * @since 1.0
 */
@ProviderType
public interface SmmuDomains {

    /** The SMMU's name, e.g. {@code smmuv3.0}. */
    String iommuName();

    /** The devices behind this SMMU. */
    List<DeviceId> devices();

    /**
     * Attaches {@code domain} with stage-1 {@code tables} at {@code pasid} ({@link dev.faultline.api.fault.Pasid#NONE}
     * for the device's PASID-less transactions), replacing what was attached there. Stage 2 stays as attached.
     *
     * @throws IllegalArgumentException for an unknown device, a nested domain, or a PASID the SMMU cannot hold
     */
    void attachStage1(DeviceId device, int pasid, Domain domain, Stage1Tables tables);

    /** {@link #attachStage1(DeviceId, int, Domain, Stage1Tables)} with a {@link TranslationTable}. */
    default void attachStage1(DeviceId device, int pasid, Domain domain, TranslationTable table) {
        attachStage1(device, pasid, domain, Stage1Tables.of(table));
    }

    /**
     * Attaches {@code domain} as the device's stage-2 translation (IPA to PA). With stage-1 attachments present the
     * stream translates both stages.
     *
     * @throws IllegalArgumentException for an unknown device or a nested domain
     */
    void attachStage2(DeviceId device, Domain domain, Stage2Tables tables);

    /**
     * Gives the device to a guest: the guest's stage-1 configuration over the host's stage-2 {@code tables}.
     * Replaces every other attachment of the device. Stage-1 faults then go to the nested domain's handler (the
     * vIOMMU) with the raw event record, and are never printed by the host.
     *
     * @throws IllegalArgumentException for an unknown device or a domain that is not nested
     */
    void attachNested(DeviceId device, Domain domain, GuestStage1 guest, Stage2Tables tables);

    /**
     * Detaches whatever is attached at {@code pasid} ({@link dev.faultline.api.fault.Pasid#NONE}: the PASID-less
     * stage-1 attachment, the stage-2 attachment, or the nested attachment). Faults already reported stay with
     * their handler.
     *
     * @throws IllegalArgumentException for an unknown device
     */
    void detach(DeviceId device, int pasid);
}
