package dev.faultline.console.internal.jmx;

/** {@code dev.faultline:type=Iommu,name="<iommu>"}: one IOMMU and the hardware overflows its backends reported. */
public interface IommuMXBean {
    /** The IOMMU's name. */
    String getName();

    /** Whether a backend drives it now. */
    boolean isConnected();

    /** Its devices present now. */
    int getDevices();

    /** Overflow episodes of its queue of unrecoverable faults and stall events (SMMUv3 EVTQ, VT-d FSTS.PFO). */
    long getFaultRecordOverflows();

    /** Overflow episodes of its page request queue (SMMUv3 PRIQ, VT-d PRS.PRO). */
    long getPageRequestOverflows();
}
