package dev.faultline.platform.smmuv3;

/** The SMMUv3 interrupt lines (IHI 0070 §6.3; Linux {@code arm-smmu-v3-evtq}, {@code -priq}, {@code -gerror}). */
public enum SmmuInterrupt {
    /** New event queue records (IRQ_CTRL.EVENTQ_IRQEN). */
    EVENTQ,
    /** New PRI queue entries (IRQ_CTRL.PRIQ_IRQEN). */
    PRIQ,
    /** A global error became active (IRQ_CTRL.GERROR_IRQEN). */
    GERROR;

    /** The IRQ_CTRL enable bit of the line. */
    public int enableBit() {
        return switch (this) {
            case EVENTQ -> SmmuRegisters.IRQ_CTRL_EVTQ_IRQEN;
            case PRIQ -> SmmuRegisters.IRQ_CTRL_PRIQ_IRQEN;
            case GERROR -> SmmuRegisters.IRQ_CTRL_GERROR_IRQEN;
        };
    }
}
