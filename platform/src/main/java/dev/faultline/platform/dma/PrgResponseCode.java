package dev.faultline.platform.dma;

/**
 * The kinds of PCIe PRG Response codes (PCIe PRG Response). The 4-bit code itself travels in
 * {@link PrgResponseMessage#responseCode()}, because hosts can send reserved values (Linux VT-d writes
 * {@code IOMMU_PAGE_RESP_FAILURE} = 2 raw, {@code intel_iommu_page_response}).
 */
public enum PrgResponseCode {
    /** 0b0000: the pages are resident; the device retries. */
    SUCCESS(0b0000),
    /** 0b0001: a page does not exist or lacks the permission; the device fails the access, no re-request. */
    INVALID_REQUEST(0b0001),
    /** 0b1111: permanent failure; the device sets PRI Status.RF and stops issuing page requests. */
    RESPONSE_FAILURE(0b1111),
    /** 0b0010 to 0b1110: reserved. This model's devices treat them as {@link #RESPONSE_FAILURE}. */
    RESERVED(-1);

    private final int code;

    PrgResponseCode(int code) {
        this.code = code;
    }

    /** The 4-bit wire code ({@code -1} for {@link #RESERVED}, which stands for several). */
    public int code() {
        return code;
    }

    /**
     * The kind of a 4-bit wire code.
     *
     * @throws IllegalArgumentException if {@code code} does not fit 4 bits
     */
    public static PrgResponseCode of(int code) {
        if (code < 0 || code > 0xf) {
            throw new IllegalArgumentException("PRG response code " + code + " does not fit 4 bits");
        }
        return switch (code) {
            case 0b0000 -> SUCCESS;
            case 0b0001 -> INVALID_REQUEST;
            case 0b1111 -> RESPONSE_FAILURE;
            default -> RESERVED;
        };
    }
}
