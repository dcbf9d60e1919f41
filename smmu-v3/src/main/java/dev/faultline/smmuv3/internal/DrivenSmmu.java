package dev.faultline.smmuv3.internal;

/**
 * What the backend's shell commands read of a driven SMMU: its {@link dev.faultline.smmuv3.SmmuDomains} service
 * object implements this too.
 */
public interface DrivenSmmu {

    /** The SMMU's name. */
    String name();

    /** Its streams, stalled transactions and the driver's and hardware's counters, now. */
    SmmuStatus status();
}
