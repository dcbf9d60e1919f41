package dev.faultline.platform.vtd;

/**
 * A VT-d fault reason code (FRCD.FR, 8 bits) with the kernel's reason string and fault type, exactly as
 * Linux {@code dmar_get_fault_reason()} maps it from {@code irq_remap_fault_reasons},
 * {@code dma_remap_sm_fault_reasons} and {@code dma_remap_fault_reasons} (Linux {@code intel/dmar.c}).
 *
 * <p>Every code 0x00-0xff has an interned instance ({@link #of(int)} never allocates); codes in no table
 * keep their raw value with the description {@value #UNKNOWN_TEXT} and type {@link FaultType#UNKNOWN}.
 * Codes inside the scalable-mode range that the table leaves unnamed (for example 0x33) are
 * {@link FaultType#DMA_REMAP} with the description {@value #UNKNOWN_TEXT}, as in Linux.
 *
 * <p><b>Size.</b> Its size is the three reason tables Linux keeps, one entry per code; the logic is a few lines.
 *
 * @param code the reason code, 0 to 0xff
 * @param description the kernel's reason string
 * @param type how the kernel classifies the code (selects the log line form)
 */
public record FaultReason(int code, String description, FaultType type) {

    /** The description of codes without a name in the kernel's tables. */
    public static final String UNKNOWN_TEXT = "Unknown";

    // Codes the hardware model raises (VT-d first-level faults; Linux dma_remap_sm_fault_reasons index + 0x30).
    /** 0x05 legacy: PTE Write access is not set. */
    public static final int PTE_WRITE = 0x05;
    /** 0x06 legacy: PTE Read access is not set. */
    public static final int PTE_READ = 0x06;
    /** 0x30 SM: Invalid Root Table Address. */
    public static final int SM_INVALID_ROOT_TABLE_ADDRESS = 0x30;
    /** 0x31 SM: TTM 0 for request with PASID. */
    public static final int SM_TTM0_REQUEST_WITH_PASID = 0x31;
    /** 0x32 SM: TTM 0 for page group request. */
    public static final int SM_TTM0_PAGE_GROUP_REQUEST = 0x32;
    /** 0x38 SM: Error attempting to access Root Entry. */
    public static final int SM_ROOT_ENTRY_ACCESS = 0x38;
    /** 0x39 SM: Present bit in Root Entry is clear. */
    public static final int SM_ROOT_ENTRY_NOT_PRESENT = 0x39;
    /** 0x3A SM: Non-zero reserved field set in Root Entry. */
    public static final int SM_ROOT_ENTRY_RESERVED = 0x3A;
    /** 0x40 SM: Error attempting to access Context Entry. */
    public static final int SM_CONTEXT_ENTRY_ACCESS = 0x40;
    /** 0x41 SM: Present bit in Context Entry is clear. */
    public static final int SM_CONTEXT_ENTRY_NOT_PRESENT = 0x41;
    /** 0x42 SM: Non-zero reserved field set in the Context Entry. */
    public static final int SM_CONTEXT_ENTRY_RESERVED = 0x42;
    /** 0x43 SM: Invalid Context Entry. */
    public static final int SM_CONTEXT_ENTRY_INVALID = 0x43;
    /** 0x44 SM: DTE field in Context Entry is clear. */
    public static final int SM_CONTEXT_DTE_CLEAR = 0x44;
    /** 0x45 SM: PASID Enable field in Context Entry is clear. */
    public static final int SM_CONTEXT_PASIDE_CLEAR = 0x45;
    /** 0x46 SM: PASID is larger than the max in Context Entry. */
    public static final int SM_PASID_TOO_LARGE = 0x46;
    /** 0x47 SM: PRE field in Context-Entry is clear. */
    public static final int SM_CONTEXT_PRE_CLEAR = 0x47;
    /** 0x50 SM: Error attempting to access the PASID Directory Entry. */
    public static final int SM_PASID_DIR_ACCESS = 0x50;
    /** 0x51 SM: Present bit in Directory Entry is clear. */
    public static final int SM_PASID_DIR_NOT_PRESENT = 0x51;
    /** 0x52 SM: Non-zero reserved field set in PASID Directory Entry. */
    public static final int SM_PASID_DIR_RESERVED = 0x52;
    /** 0x58 SM: Error attempting to access PASID Table Entry. */
    public static final int SM_PASID_ENTRY_ACCESS = 0x58;
    /** 0x59 SM: Present bit in PASID Table Entry is clear. */
    public static final int SM_PASID_ENTRY_NOT_PRESENT = 0x59;
    /** 0x5A SM: Non-zero reserved field set in PASID Table Entry. */
    public static final int SM_PASID_ENTRY_RESERVED = 0x5A;
    /** 0x5B SM: Invalid Scalable-Mode PASID Table Entry. */
    public static final int SM_PASID_ENTRY_INVALID = 0x5B;
    /** 0x5C SM: ERE field is clear in PASID Table Entry. */
    public static final int SM_PASID_ERE_CLEAR = 0x5C;
    /** 0x5D SM: SRE field is clear in PASID Table Entry. */
    public static final int SM_PASID_SRE_CLEAR = 0x5D;
    /** 0x70 SM: Error attempting to access first-level paging entry. */
    public static final int SM_FL_ENTRY_ACCESS = 0x70;
    /** 0x71 SM: Present bit in first-level paging entry is clear. */
    public static final int SM_FL_NOT_PRESENT = 0x71;
    /** 0x72 SM: Non-zero reserved field set in first-level paging entry. */
    public static final int SM_FL_RESERVED = 0x72;
    /** 0x73 SM: Error attempting to access FL-PML4 entry. */
    public static final int SM_FL_PML4_ACCESS = 0x73;
    /** 0x74 SM: First-level entry address beyond MGAW in Nested translation: a first-level table's GPA. */
    public static final int SM_NESTED_FL_BEYOND_MGAW = 0x74;
    /** 0x75 SM: Read permission error in FL-PML4 entry in Nested translation: the second level denies FLPTR. */
    public static final int SM_NESTED_FL_PML4_READ = 0x75;
    /** 0x76 SM: Read permission error in first-level paging entry in Nested translation. */
    public static final int SM_NESTED_FL_READ = 0x76;
    /** 0x77 SM: Write permission error in first-level paging entry in Nested translation (A/D update). */
    public static final int SM_NESTED_FL_WRITE = 0x77;
    /** 0x78 SM: Error attempting to access second-level paging entry. */
    public static final int SM_SL_ENTRY_ACCESS = 0x78;
    /** 0x79 SM: Read/Write permission error in second-level paging entry. */
    public static final int SM_SL_PERMISSION = 0x79;
    /** 0x7A SM: Non-zero reserved field set in second-level paging entry. */
    public static final int SM_SL_RESERVED = 0x7A;
    /** 0x7B SM: Invalid second-level page table pointer. */
    public static final int SM_SL_INVALID_POINTER = 0x7B;
    /** 0x84 SM: Second-level entry address beyond the max: the output GPA is beyond the second level's width. */
    public static final int SM_SL_BEYOND_MAX = 0x84;
    /** 0x80 SM: Address in first-level translation is not canonical. */
    public static final int SM_FL_NON_CANONICAL = 0x80;
    /** 0x81 SM: U/S set 0 for first-level translation with user privilege. */
    public static final int SM_FL_USER = 0x81;
    /** 0x82 SM: No execute permission for request with PASID and ER=1. */
    public static final int SM_FL_EXECUTE = 0x82;
    /** 0x83 SM: Address beyond the DMA hardware max. */
    public static final int SM_ADDRESS_BEYOND_MAX = 0x83;
    /** 0x85 SM: No write permission for Write/AtomicOp request. */
    public static final int SM_WRITE = 0x85;
    /** 0x86 SM: No read permission for Read/AtomicOp request. */
    public static final int SM_READ = 0x86;
    /** 0x87 SM: Invalid address-interrupt address. */
    public static final int SM_INTERRUPT_ADDRESS = 0x87;
    /** 0x90 SM: A/D bit update needed in first-level entry when set up in no snoop. */
    public static final int SM_FL_AD_NO_SNOOP = 0x90;
    /** 0x91: first-level A/D bit update failed (QEMU {@code VTD_FR_FS_BIT_UPDATE_FAILED}); Linux: Unknown. */
    public static final int FL_AD_UPDATE_FAILED = 0x91;

    /**
     * Whether a scalable-mode reason is raised by the first level itself: its walk, its leaf's permissions and
     * the PASID-entry controls of first-level requests (ERE, SRE). Under nested translation (PGTT 3) these are
     * the faults of the guest's own tables; every other reason (root, context and PASID tables, second level,
     * first-level table accesses the second level refuses, 0x74-0x7C, 0x83, 0x84, 0x86) is the host's.
     */
    public static boolean firstLevel(int code) {
        return code == SM_PASID_ERE_CLEAR || code == SM_PASID_SRE_CLEAR
                || (code >= SM_FL_ENTRY_ACCESS && code <= SM_FL_PML4_ACCESS)
                || (code >= SM_FL_NON_CANONICAL && code <= SM_FL_EXECUTE)
                || code == SM_WRITE || code == SM_INTERRUPT_ADDRESS || code == SM_FL_AD_NO_SNOOP
                || code == FL_AD_UPDATE_FAILED;
    }

    // Linux dma_remap_fault_reasons (legacy, index = code).
    private static final String[] LEGACY = {
        "Software",
        "Present bit in root entry is clear",
        "Present bit in context entry is clear",
        "Invalid context entry",
        "Access beyond MGAW",
        "PTE Write access is not set",
        "PTE Read access is not set",
        "Next page table ptr is invalid",
        "Root table address invalid",
        "Context table ptr is invalid",
        "non-zero reserved fields in RTP",
        "non-zero reserved fields in CTP",
        "non-zero reserved fields in PTE",
        "PCE for translation request specifies blocking",
    };

    // Linux irq_remap_fault_reasons (index = code - 0x20).
    private static final int IRQ_BASE = 0x20;
    private static final String[] IRQ = {
        "Detected reserved fields in the decoded interrupt-remapped request",
        "Interrupt index exceeded the interrupt-remapping table size",
        "Present field in the IRTE entry is clear",
        "Error accessing interrupt-remapping table pointed by IRTA_REG",
        "Detected reserved fields in the IRTE entry",
        "Blocked a compatibility format interrupt request",
        "Blocked an interrupt request due to source-id verification failure",
    };

    // Linux dma_remap_sm_fault_reasons covers 0x30..0x90 (97 entries); unnamed ones are "Unknown".
    private static final int SM_BASE = 0x30;
    private static final int SM_LAST = 0x90;

    private static final FaultReason[] BY_CODE = new FaultReason[256];

    static {
        String[] sm = new String[SM_LAST - SM_BASE + 1];
        java.util.Arrays.fill(sm, UNKNOWN_TEXT);
        sm[0x30 - SM_BASE] = "SM: Invalid Root Table Address";
        sm[0x31 - SM_BASE] = "SM: TTM 0 for request with PASID";
        sm[0x32 - SM_BASE] = "SM: TTM 0 for page group request";
        sm[0x38 - SM_BASE] = "SM: Error attempting to access Root Entry";
        sm[0x39 - SM_BASE] = "SM: Present bit in Root Entry is clear";
        sm[0x3A - SM_BASE] = "SM: Non-zero reserved field set in Root Entry";
        sm[0x40 - SM_BASE] = "SM: Error attempting to access Context Entry";
        sm[0x41 - SM_BASE] = "SM: Present bit in Context Entry is clear";
        sm[0x42 - SM_BASE] = "SM: Non-zero reserved field set in the Context Entry";
        sm[0x43 - SM_BASE] = "SM: Invalid Context Entry";
        sm[0x44 - SM_BASE] = "SM: DTE field in Context Entry is clear";
        sm[0x45 - SM_BASE] = "SM: PASID Enable field in Context Entry is clear";
        sm[0x46 - SM_BASE] = "SM: PASID is larger than the max in Context Entry";
        sm[0x47 - SM_BASE] = "SM: PRE field in Context-Entry is clear";
        sm[0x48 - SM_BASE] = "SM: RID_PASID field error in Context-Entry";
        sm[0x50 - SM_BASE] = "SM: Error attempting to access the PASID Directory Entry";
        sm[0x51 - SM_BASE] = "SM: Present bit in Directory Entry is clear";
        sm[0x52 - SM_BASE] = "SM: Non-zero reserved field set in PASID Directory Entry";
        sm[0x58 - SM_BASE] = "SM: Error attempting to access PASID Table Entry";
        sm[0x59 - SM_BASE] = "SM: Present bit in PASID Table Entry is clear";
        sm[0x5A - SM_BASE] = "SM: Non-zero reserved field set in PASID Table Entry";
        sm[0x5B - SM_BASE] = "SM: Invalid Scalable-Mode PASID Table Entry";
        sm[0x5C - SM_BASE] = "SM: ERE field is clear in PASID Table Entry";
        sm[0x5D - SM_BASE] = "SM: SRE field is clear in PASID Table Entry";
        sm[0x70 - SM_BASE] = "SM: Error attempting to access first-level paging entry";
        sm[0x71 - SM_BASE] = "SM: Present bit in first-level paging entry is clear";
        sm[0x72 - SM_BASE] = "SM: Non-zero reserved field set in first-level paging entry";
        sm[0x73 - SM_BASE] = "SM: Error attempting to access FL-PML4 entry";
        sm[0x74 - SM_BASE] = "SM: First-level entry address beyond MGAW in Nested translation";
        sm[0x75 - SM_BASE] = "SM: Read permission error in FL-PML4 entry in Nested translation";
        sm[0x76 - SM_BASE] = "SM: Read permission error in first-level paging entry in Nested translation";
        sm[0x77 - SM_BASE] = "SM: Write permission error in first-level paging entry in Nested translation";
        sm[0x78 - SM_BASE] = "SM: Error attempting to access second-level paging entry";
        sm[0x79 - SM_BASE] = "SM: Read/Write permission error in second-level paging entry";
        sm[0x7A - SM_BASE] = "SM: Non-zero reserved field set in second-level paging entry";
        sm[0x7B - SM_BASE] = "SM: Invalid second-level page table pointer";
        sm[0x7C - SM_BASE] = "SM: A/D bit update needed in second-level entry when set up in no snoop";
        sm[0x80 - SM_BASE] = "SM: Address in first-level translation is not canonical";
        sm[0x81 - SM_BASE] = "SM: U/S set 0 for first-level translation with user privilege";
        sm[0x82 - SM_BASE] = "SM: No execute permission for request with PASID and ER=1";
        sm[0x83 - SM_BASE] = "SM: Address beyond the DMA hardware max";
        sm[0x84 - SM_BASE] = "SM: Second-level entry address beyond the max";
        sm[0x85 - SM_BASE] = "SM: No write permission for Write/AtomicOp request";
        sm[0x86 - SM_BASE] = "SM: No read permission for Read/AtomicOp request";
        sm[0x87 - SM_BASE] = "SM: Invalid address-interrupt address";
        sm[0x90 - SM_BASE] = "SM: A/D bit update needed in first-level entry when set up in no snoop";
        // The order of the tests is dmar_get_fault_reason()'s: interrupt remapping, scalable mode, legacy.
        for (int code = 0; code < BY_CODE.length; code++) {
            if (code >= IRQ_BASE && code - IRQ_BASE < IRQ.length) {
                BY_CODE[code] = new FaultReason(code, IRQ[code - IRQ_BASE], FaultType.INTR_REMAP);
            } else if (code >= SM_BASE && code <= SM_LAST) {
                BY_CODE[code] = new FaultReason(code, sm[code - SM_BASE], FaultType.DMA_REMAP);
            } else if (code < LEGACY.length) {
                BY_CODE[code] = new FaultReason(code, LEGACY[code], FaultType.DMA_REMAP);
            } else {
                BY_CODE[code] = new FaultReason(code, UNKNOWN_TEXT, FaultType.UNKNOWN);
            }
        }
    }

    /**
     * Validates the reason.
     *
     * @throws IllegalArgumentException if {@code code} does not fit the 8-bit FR field
     * @throws NullPointerException for a missing description or type
     */
    public FaultReason {
        checkCode(code);
        java.util.Objects.requireNonNull(description, "description");
        java.util.Objects.requireNonNull(type, "type");
    }

    /**
     * The interned reason for a code, as the kernel names it; allocation-free.
     *
     * @throws IllegalArgumentException if {@code code} is outside [0, 0xff]
     */
    public static FaultReason of(int code) {
        checkCode(code);
        return BY_CODE[code];
    }

    private static void checkCode(int code) {
        if (code < 0 || code > 0xff) {
            throw new IllegalArgumentException("VT-d fault reason 0x" + Integer.toHexString(code)
                    + " does not fit the 8-bit FR field [0, 0xff]");
        }
    }

    /** Whether the kernel prints this fault in the {@code [INTR-REMAP] ... fault index} form. */
    public boolean interruptRemapping() {
        return type == FaultType.INTR_REMAP;
    }

    /** Whether the code appears in one of the kernel's tables with a name other than {@value #UNKNOWN_TEXT}. */
    public boolean named() {
        return !UNKNOWN_TEXT.equals(description);
    }

    /** {@code [fault reason 0xNN] description}: the tail of the kernel's fault line. */
    @Override
    public String toString() {
        return String.format("[fault reason 0x%02x] %s", code, description);
    }
}
