package dev.faultline.platform.dma;

import dev.faultline.api.fault.Pasid;

/**
 * A PCIe PRG Response message (PCIe PRG Response): the host's answer to one page request group, routed to the
 * function by its requester id.
 *
 * @param destinationId the requester id of the function (16 bits)
 * @param pasid the PASID of the response's PASID prefix, or {@link Pasid#NONE}
 * @param prgIndex the group index being answered (9 bits)
 * @param responseCode the 4-bit response code as sent (see {@link PrgResponseCode})
 */
public record PrgResponseMessage(int destinationId, int pasid, int prgIndex, int responseCode) {

    /**
     * Validates the message.
     *
     * @throws IllegalArgumentException for a field wider than its encoding or a bad PASID
     */
    public PrgResponseMessage {
        if ((destinationId & ~0xffff) != 0) {
            throw new IllegalArgumentException("destination id 0x" + Integer.toHexString(destinationId)
                    + " does not fit 16 bits");
        }
        Pasid.requireValidOrNone(pasid);
        if ((prgIndex & ~PageRequestMessage.PRG_INDEX_MASK) != 0) {
            throw new IllegalArgumentException("PRG index " + prgIndex + " does not fit 9 bits");
        }
        PrgResponseCode.of(responseCode);
    }

    /** A response with a well-known code. */
    public static PrgResponseMessage of(int destinationId, int pasid, int prgIndex, PrgResponseCode code) {
        if (code == PrgResponseCode.RESERVED) {
            throw new IllegalArgumentException("RESERVED names several codes; pass the raw code");
        }
        return new PrgResponseMessage(destinationId, pasid, prgIndex, code.code());
    }

    /** The kind of {@link #responseCode()}. */
    public PrgResponseCode code() {
        return PrgResponseCode.of(responseCode);
    }

    /** Whether the response carries a PASID prefix. */
    public boolean hasPasid() {
        return pasid != Pasid.NONE;
    }

    /**
     * The 32-bit register image of a PCIe controller's PRG Response (PCIe PRG Response, EFX layout):
     * PRG Index [8:0], Response Code [15:12], Destination Device ID [31:16].
     */
    public int encode() {
        return prgIndex | responseCode << 12 | destinationId << 16;
    }

    /** Reads {@link #encode()}'s layout back (the PASID travels in a prefix, not in this word). */
    public static PrgResponseMessage decode(int word, int pasid) {
        return new PrgResponseMessage(word >>> 16, pasid, word & PageRequestMessage.PRG_INDEX_MASK,
                (word >>> 12) & 0xf);
    }
}
