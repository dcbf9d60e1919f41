package dev.faultline.platform.dma;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A PRI-capable function's end of the link: where its IOMMU delivers PRG Response messages.
 */
@ConsumerType
@FunctionalInterface
public interface PrgResponseReceiver {

    /** Receives one PRG Response. Called from the IOMMU's command-processing thread; must not block. */
    void receive(PrgResponseMessage response);

    /**
     * Receives one PRG Response as its fields, as an IOMMU delivers it: by default the
     * {@link PrgResponseMessage} of those fields to {@link #receive(PrgResponseMessage)}. A function that wants no
     * record per response overrides this method; the fields are then exactly what the record would carry (the IOMMU
     * delivers only fields the record accepts). Called from the IOMMU's command-processing thread; must not block.
     *
     * @param destinationId the requester id of the function (16 bits)
     * @param pasid the PASID of the response's PASID prefix, or {@link dev.faultline.api.fault.Pasid#NONE}
     * @param prgIndex the group index being answered (9 bits)
     * @param responseCode the 4-bit response code as sent (see {@link PrgResponseCode})
     * @since 1.1
     */
    default void receive(int destinationId, int pasid, int prgIndex, int responseCode) {
        receive(new PrgResponseMessage(destinationId, pasid, prgIndex, responseCode));
    }
}
