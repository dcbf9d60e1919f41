package dev.faultline.smmuv3.internal;

import java.util.Map;

/** The running drivers by SMMU name: what the backend component offers its shell commands. */
public interface SmmuDrivers {

    /** A snapshot of the running drivers. */
    Map<String, SmmuDriver> drivers();
}
