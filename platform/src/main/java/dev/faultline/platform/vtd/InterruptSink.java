package dev.faultline.platform.vtd;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Where a remapping unit delivers its interrupts (the model of its MSIs): the driver's interrupt handler.
 */
@ConsumerType
@FunctionalInterface
public interface InterruptSink {

    /**
     * Receives one interrupt. Called on the thread whose register write, DMA access or page request caused
     * it, after the unit released its lock; must not block (wake a thread instead).
     */
    void raise(UnitInterrupt interrupt);
}
