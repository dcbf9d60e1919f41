package dev.faultline.platform.smmuv3;

import org.osgi.annotation.versioning.ConsumerType;

/** Receives an SMMU's interrupts: what a driver connects to its IRQ lines. */
@ConsumerType
@FunctionalInterface
public interface SmmuInterruptListener {

    /**
     * One interrupt. Called on the thread whose action raised it (a device, a command writer), after the SMMU
     * released its lock; must return quickly (wake a thread, do not drain here).
     */
    void interrupt(SmmuInterrupt line);
}
