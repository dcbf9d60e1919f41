package dev.faultline.platform.vtd;

/**
 * The interrupts a remapping unit raises, each gated by its event control register's IM and IP bits
 * (VT-d FSTS, VT-d page request descriptor).
 */
public enum UnitInterrupt {
    /** Fault event (FECTL): a fault was recorded or the invalidation queue hit an error. Linux: {@code dmar_fault}. */
    FAULT_EVENT(RegisterMap.FECTL),
    /** Page request event (PECTL): a page request was queued or the queue overflowed. Linux: {@code dmar%d-prq}. */
    PAGE_REQUEST_EVENT(RegisterMap.PECTL),
    /** Invalidation completion event (IECTL): a wait descriptor with IF completed. */
    INVALIDATION_EVENT(RegisterMap.IECTL);

    private final int controlRegister;

    UnitInterrupt(int controlRegister) {
        this.controlRegister = controlRegister;
    }

    /** The offset of the event control register that masks this interrupt. */
    public int controlRegister() {
        return controlRegister;
    }
}
