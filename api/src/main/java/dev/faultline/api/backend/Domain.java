package dev.faultline.api.backend;

import java.util.Objects;

/**
 * An I/O address space that devices (or PASIDs of devices) are attached to; handlers serve domains by name.
 *
 * @param name unique name, e.g. {@code gpu0-ctx3}
 * @param type what kind of translation it is
 * @param guest for a {@link DomainType#NESTED} domain, the guest that owns its stage-1 tables; else empty
 */
public record Domain(String name, DomainType type, String guest) {

    /**
     * Validates the domain.
     *
     * @throws IllegalArgumentException for a blank name, a nested domain without guest, or a guest given
     *     for a domain that is not nested
     */
    public Domain {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(guest, "guest (empty if not nested)");
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("domain name must not be blank");
        }
        if ((type == DomainType.NESTED) == guest.isEmpty()) {
            throw new IllegalArgumentException(type == DomainType.NESTED
                    ? "nested domain '" + name + "' needs the guest that owns it"
                    : "only a nested domain has a guest owner ('" + name + "' is " + type + ")");
        }
    }

    /** A kernel DMA domain. */
    public static Domain dma(String name) {
        return new Domain(name, DomainType.DMA, "");
    }

    /** A domain whose tables a driver manages itself (remoteproc, GPU). */
    public static Domain unmanaged(String name) {
        return new Domain(name, DomainType.UNMANAGED, "");
    }

    /** A shared-virtual-addressing domain (a process address space). */
    public static Domain sva(String name) {
        return new Domain(name, DomainType.SVA, "");
    }

    /** A nested domain: {@code guest} owns stage 1, the host owns stage 2. */
    public static Domain nested(String name, String guest) {
        return new Domain(name, DomainType.NESTED, guest);
    }

    /** Whether a guest caused faults of this domain (the host never prints them). */
    public boolean guestOwned() {
        return type == DomainType.NESTED;
    }
}
