package dev.faultline.smmuv3;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.platform.arm.TranslationTable;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Attaches the devices behind one SMMUv3 to domains: programs the STE and context descriptors, and tells the
 * fault core which domain now owns the device's (or PASID's) faults. Registered as an OSGi service per SMMU,
 * with service property {@value #NAME_PROPERTY}.
 *
 * <p>The devices are those the machine's firmware places behind this SMMU; stall or PRI reporting is enabled
 * per device as firmware describes it, and a device that can stall may have stall switched off and on again
 * ({@link #setStall}). A device with nothing attached aborts its DMA without fault records.
 *
 * <p>Thread-safe. Methods throw {@link IllegalStateException} once the driver has stopped; the service is
 * unregistered first.
 *
 * @since 1.0
 */
@ProviderType
public interface SmmuDomains {
    /**
     * The service property naming the SMMU, e.g. {@code (iommu.name=smmuv3.0)} in a reference target.
     *
     * @since 1.2
     */
    String NAME_PROPERTY = "iommu.name";

    /** The SMMU's name, e.g. {@code smmuv3.0}. */
    String iommuName();

    /** The devices behind this SMMU. */
    List<DeviceId> devices();

    /**
     * Attaches {@code domain} with stage-1 {@code tables} at {@code pasid} ({@link dev.faultline.api.fault.Pasid#NONE}
     * for the device's PASID-less transactions), replacing what was attached there. Stage 2 stays as attached.
     *
     * @throws IllegalArgumentException for an unknown device, a nested domain, a PASID the SMMU cannot hold, or an
     *     SVA domain (whose faults are I/O page faults) on a device that cannot fault recoverably: neither PRI nor
     *     stall (Linux refuses {@code IOMMU_DEV_FEAT_IOPF} for such a master)
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

    /**
     * Whether {@link #setStall} can switch stall-on-fault for {@code device}: its firmware node says it can stall
     * (Linux {@code dma-can-stall}) and the SMMU lets software choose (IDR0.STALL_MODEL = 0, "stall and
     * terminate"; with 1 nothing stalls, with 2 every fault stalls).
     *
     * @throws IllegalArgumentException for an unknown device
     * @since 1.1
     */
    boolean canSwitchStall(DeviceId device);

    /**
     * Turns stall-on-fault on or off for all of the device's translations, what Linux's
     * {@code adreno_smmu_priv.set_stall} does for an SMMUv2 context bank. Devices that can stall start with it
     * on.
     *
     * <p>In hardware (IHI 0070 §5.2, §5.4, §5.5): with stall on, every CD this service wrote for the
     * device has S = 1 and the STE has S1STALLD = 0 and, when stage 2 translates, S2S = 1, so a translation
     * fault stalls the transaction and is reported as a one-request page request group. With stall off the CDs
     * have S = 0 and the STE S1STALLD = 1 and S2S = 0, as Linux writes them for a device that cannot stall: a
     * fault is terminated at once with an abort (CD.A), recorded (CD.R, STE.S2R) and reported as an
     * unrecoverable fault. The order never shows the SMMU a CD with S = 1 under S1STALLD = 1 (on: the STE first,
     * then the CDs; off: the reverse), each step changes one 64-bit word (so DMA keeps translating meanwhile) and
     * is followed by CMD_CFGI_CD or CMD_CFGI_STE and a CMD_SYNC through the command queue. Attachments made
     * later follow the setting. For a device attached to a nested domain only the STE changes: the guest's CDs
     * are the guest's.
     *
     * <p>Transactions already stalled stay stalled until answered; one answered SUCCESS is retried under the new
     * setting. Safe to call from a fault handler.
     *
     * @throws IllegalArgumentException for an unknown device
     * @throws UnsupportedOperationException if {@link #canSwitchStall} is false for the device
     * @since 1.1
     */
    void setStall(DeviceId device, boolean stall);
}
