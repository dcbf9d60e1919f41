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
}
