package dev.faultline.platform.dma;

/**
 * A function's PCIe PRI extended capability (ID {@code 0x0013}, PCIe PRI capability): Control, Status, and the
 * outstanding page request capacity and allocation. Software (a driver or test) enables it and sets the
 * allocation; the function sets Response Failure when a PRG Response says so, after which it issues no page
 * requests until software resets the capability.
 *
 * <p>Thread-safe.
 */
public final class PriCapability {
    /** {@code PCI_EXT_CAP_ID_PRI}. */
    public static final int CAPABILITY_ID = 0x0013;
    /** {@code PCI_PRI_CTRL_ENABLE}: Control bit 0. */
    public static final int CTRL_ENABLE = 0x0001;
    /** {@code PCI_PRI_CTRL_RESET}: Control bit 1. */
    public static final int CTRL_RESET = 0x0002;
    /** {@code PCI_PRI_STATUS_RF}: Response Failure, Status bit 0. */
    public static final int STATUS_RF = 0x0001;
    /** {@code PCI_PRI_STATUS_UPRGI}: Unexpected PRG Index, Status bit 1. */
    public static final int STATUS_UPRGI = 0x0002;
    /** {@code PCI_PRI_STATUS_STOPPED}: Status bit 8. */
    public static final int STATUS_STOPPED = 0x0100;
    /** {@code PCI_PRI_STATUS_PASID}: PRG Response PASID Required, Status bit 15. */
    public static final int STATUS_PASID = 0x8000;

    private final int capacity;
    private final boolean responsePasidRequired;
    private int control;
    private int status;
    private int allocation;
    private int outstanding;

    /**
     * A disabled capability.
     *
     * @param capacity Outstanding Page Request Capacity: how many requests the function can have in flight
     * @param responsePasidRequired whether PRG responses to PASID requests must carry the PASID (Status bit 15)
     * @throws IllegalArgumentException if {@code capacity} is not positive
     */
    public PriCapability(int capacity, boolean responsePasidRequired) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("PRI capacity must be positive, was " + capacity);
        }
        this.capacity = capacity;
        this.responsePasidRequired = responsePasidRequired;
        this.allocation = capacity;
    }

    /** The Control register. */
    public synchronized int control() {
        return control;
    }

    /**
     * Writes the Control register. Writing Reset with Enable clear clears Response Failure and Unexpected PRG
     * Index and forgets outstanding requests.
     */
    public synchronized void writeControl(int value) {
        if ((value & CTRL_RESET) != 0 && (value & CTRL_ENABLE) == 0) {
            status &= ~(STATUS_RF | STATUS_UPRGI);
            outstanding = 0;
        }
        control = value & CTRL_ENABLE;
    }

    /** Sets Enable. */
    public void enable() {
        writeControl(CTRL_ENABLE);
    }

    /** The Status register (RF, UPRGI, Stopped, PASID required). */
    public synchronized int status() {
        int s = status | (responsePasidRequired ? STATUS_PASID : 0);
        if ((control & CTRL_ENABLE) == 0 && outstanding == 0) {
            s |= STATUS_STOPPED;
        }
        return s;
    }

    /** Writes Status: RF and UPRGI are write-1-to-clear. */
    public synchronized void writeStatus(int value) {
        status &= ~(value & (STATUS_RF | STATUS_UPRGI));
    }

    /** Outstanding Page Request Capacity. */
    public int capacity() {
        return capacity;
    }

    /** Outstanding Page Request Allocation. */
    public synchronized int allocation() {
        return allocation;
    }

    /**
     * Sets Outstanding Page Request Allocation.
     *
     * @throws IllegalArgumentException if not in 1..capacity
     */
    public synchronized void writeAllocation(int value) {
        if (value < 1 || value > capacity) {
            throw new IllegalArgumentException("PRI allocation " + value + " outside [1, " + capacity + "]");
        }
        allocation = value;
    }

    /** Whether PRG responses must carry the PASID. */
    public boolean responsePasidRequired() {
        return responsePasidRequired;
    }

    /** Whether the function may issue page requests now: enabled and no Response Failure. */
    public synchronized boolean canRequest() {
        return (control & CTRL_ENABLE) != 0 && (status & STATUS_RF) == 0;
    }

    /** Whether a Response Failure stopped page requests. */
    public synchronized boolean responseFailure() {
        return (status & STATUS_RF) != 0;
    }

    /** How many page requests are in flight. */
    public synchronized int outstanding() {
        return outstanding;
    }

    /** Takes {@code n} request credits if page requests are allowed and the allocation has room. */
    synchronized boolean tryReserve(int n) {
        if (!canRequest() || outstanding + n > allocation) {
            return false;
        }
        outstanding += n;
        return true;
    }

    /** Returns {@code n} credits (the group was answered or abandoned). */
    synchronized void release(int n) {
        outstanding = Math.max(0, outstanding - n);
    }

    /** Records a Response Failure (Status.RF): page requests stop. */
    synchronized void recordResponseFailure() {
        status |= STATUS_RF;
    }

    /** Records a response for a PRG index the function had nothing outstanding for (Status.UPRGI). */
    synchronized void recordUnexpectedIndex() {
        status |= STATUS_UPRGI;
    }
}
