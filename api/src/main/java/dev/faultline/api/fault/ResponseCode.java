package dev.faultline.api.fault;

/**
 * The answer to a page request group ({@code enum iommu_page_response_code}; PCIe PRG Response codes).
 */
public enum ResponseCode {
    /** The fault was handled; the device retries the access. Linux value 0. */
    SUCCESS(0),
    /** Invalid request; the device must not retry this access. Linux value 1. Also the answer to faults nobody handles. */
    INVALID(1),
    /** Response failure: a general error; the device stops issuing page requests (PCI PRI is disabled). Linux value 2. */
    FAILURE(2);

    private final int value;

    ResponseCode(int value) {
        this.value = value;
    }

    /** Linux's numeric value. */
    public int value() {
        return value;
    }

    /**
     * The code for a Linux value.
     *
     * @throws IllegalArgumentException for any other value
     */
    public static ResponseCode ofValue(int value) {
        for (ResponseCode code : values()) {
            if (code.value == value) {
                return code;
            }
        }
        throw new IllegalArgumentException("no page response code " + value + " (valid: 0 SUCCESS, 1 INVALID, 2 FAILURE)");
    }
}
