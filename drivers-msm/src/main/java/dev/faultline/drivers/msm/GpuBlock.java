package dev.faultline.drivers.msm;

/**
 * A GPU block that issues memory accesses, identified as the SMMU sees it on an a6xx: the client id the
 * Qualcomm SMMU reports in {@code FSYNR1[7:0]} ({@code mid}) and, for UCHE clients, the client field of
 * {@code UCHE_CLIENT_PF}. {@link #name()} is what the driver prints as {@code source=} ({@code a6xx_fault_block}).
 *
 * @param mid the client id, 0 to 255
 * @param ucheClient the UCHE client, 0 to 7 (only meaningful for {@code mid} 1 to 3)
 */
public record GpuBlock(int mid, int ucheClient) {
    /** The command processor. */
    public static final GpuBlock CP = new GpuBlock(0, 0);
    /** The color cache unit. */
    public static final GpuBlock CCU = new GpuBlock(4, 0);
    /** The CDP prefetcher. */
    public static final GpuBlock CDP_PREFETCH = new GpuBlock(6, 0);
    /** The GMU (power management). */
    public static final GpuBlock GMU = new GpuBlock(7, 0);
    /** The texture pipe, through UCHE. */
    public static final GpuBlock TP = new GpuBlock(2, 0);
    /** The vertex fetch decoder, through UCHE. */
    public static final GpuBlock VFD = new GpuBlock(3, 0);
    /** The shader processor, through UCHE. */
    public static final GpuBlock SP = new GpuBlock(3, 1);

    /** a6xx {@code uche_clients[]}. */
    private static final String[] UCHE_CLIENTS = {"VFD", "SP", "VSC", "VPC", "HLSQ", "PC", "LRZ"};

    /**
     * Validates the ids.
     *
     * @throws IllegalArgumentException if {@code mid} does not fit 8 bits or the client 3 bits
     */
    public GpuBlock {
        if ((mid & ~0xff) != 0 || (ucheClient & ~7) != 0) {
            throw new IllegalArgumentException("GPU block mid " + mid + " / UCHE client " + ucheClient
                    + " outside 8 / 3 bits");
        }
    }

    /** The name the driver prints, decoded as a6xx does. */
    public String name() {
        switch (mid) {
            case 0:
                return "CP";
            case 4:
                return "CCU";
            case 6:
                return "CDP Prefetch";
            case 7:
                return "GMU";
            case 3:
                return ucheClient < UCHE_CLIENTS.length ? UCHE_CLIENTS[ucheClient] : "UCHE";
            case 2:
                return ucheClient == 0 ? "TP" : "TP|VFD";
            case 1:
                return "UCHE";
            default:
                return "UNKNOWN";
        }
    }
}
