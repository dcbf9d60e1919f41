package dev.faultline.faultlog;

import dev.faultline.api.fault.Fault;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of turning a {@link DecodedFault} into Faultline's fault model: a {@link Converted} fault,
 * or {@link NotConvertible} with the reason (a report that names no device, a crash without an address,
 * an interrupt-remapping fault, ...).
 */
public sealed interface FaultConversion {

    /** The fault, if converted. */
    Optional<Fault> fault();

    /**
     * A converted report.
     *
     * @param value the fault
     */
    record Converted(Fault value) implements FaultConversion {
        /** Requires a fault. */
        public Converted {
            Objects.requireNonNull(value, "fault");
        }

        @Override
        public Optional<Fault> fault() {
            return Optional.of(value);
        }
    }

    /**
     * A report the fault model cannot hold.
     *
     * @param reason why, as a short phrase (e.g. {@code the log names no device})
     */
    record NotConvertible(String reason) implements FaultConversion {
        /** Requires a reason. */
        public NotConvertible {
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public Optional<Fault> fault() {
            return Optional.empty();
        }
    }
}
