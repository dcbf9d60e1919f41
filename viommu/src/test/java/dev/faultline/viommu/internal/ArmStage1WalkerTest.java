package dev.faultline.viommu.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.fault.Permission;
import dev.faultline.api.fault.Permissions;
import dev.faultline.viommu.ArmStage1Context;
import dev.faultline.viommu.ArmStage1Fault;
import org.junit.jupiter.api.Test;

/** The Arm stage-1 walker against hand-computed VMSAv8-64 walks and the priority rules of IHI 0070 §7.3.22. */
class ArmStage1WalkerTest {
    private static final long TABLE = 0x3;
    /** A page as arm_lpae_prot_to_pte writes it: AttrIndx 1, AP_UNPRIV, SH_IS, AF, nG: EL0 and EL1 read/write. */
    private static final long RW_PAGE = 0x0000000812345f47L;
    private static final long NOEXEC = 3L << 53;
    private static final long AF = 1L << 10;
    private static final long VA = 0x00007f1234567abcL;
    private static final Permissions PRIV_READ = Permissions.of(Permission.READ, Permission.PRIV);
    private static final Permissions PRIV_WRITE = Permissions.of(Permission.WRITE, Permission.PRIV);
    private static final Permissions FETCH = Permissions.of(Permission.READ, Permission.EXEC);
    private static final Permissions PRIV_FETCH = Permissions.of(Permission.READ, Permission.EXEC, Permission.PRIV);

    private final HandBuiltTables ram = new HandBuiltTables();
    private final long root = ram.table();
    private final ArmStage1Context linux = ArmStage1Context.linux(root);

    /** A level-3 leaf for {@code va} under fresh tables; returns the leaf's guest address. */
    private long page(long va, long leaf) {
        long slot = ram.chain(root, va, 39, 12, TABLE);
        ram.write(slot, leaf);
        return slot;
    }

    private Stage1Walk walk(ArmStage1Context context, long va, Permissions access) {
        return ArmStage1Walker.walk(ram.guest, context, va, access);
    }

    private Stage1Walk walk(long va, Permissions access) {
        return walk(linux, va, access);
    }

    private static Stage1Walk.Failed fault(ArmStage1Fault reason, int level, long descriptor) {
        return new Stage1Walk.Failed(reason, level, descriptor);
    }

    @Test
    void translatesThroughTheFourLevelIndicesOfTv21() {
        long slot = page(VA, RW_PAGE);
        assertThat(slot & 0xfff).as("L3 index 0x167").isEqualTo(0xb38);
        assertThat(ram.read(root + 0x7f0)).as("L0 index 0xfe holds the link").isNotZero();
        assertThat(walk(VA, Permissions.READ_WRITE)).isEqualTo(new Stage1Walk.Translated(0x812345abcL, 3));
    }

    @Test
    void startsAtLevelZeroWithATwoEntryTableForA40BitInputAsTv22() {
        ArmStage1Context ias40 = new ArmStage1Context(root, 24, 48, false, false, false);
        assertThat(ias40.startLevel()).isZero();
        long va = 0xff12345678L;
        long slot = ram.chain(root, va, 39, 12, TABLE);
        ram.write(slot, RW_PAGE);
        assertThat(ram.read(root + 8)).as("L0 index 1").isNotZero();
        assertThat(walk(ias40, va, Permissions.READ)).isEqualTo(new Stage1Walk.Translated(0x812345678L, 3));
        assertThat(walk(ias40, 1L << 40, Permissions.READ)).isEqualTo(Stage1Walk.Failed.beforeWalk(
                ArmStage1Fault.TRANSLATION));
    }

    @Test
    void startsAtLevelOneForA39BitInputAndLevelTwoForThirty() {
        assertThat(new ArmStage1Context(0, 25, 48, false, false, false).startLevel()).isEqualTo(1);
        assertThat(new ArmStage1Context(0, 28, 48, false, false, false).startLevel()).isEqualTo(1);
        assertThat(new ArmStage1Context(0, 34, 48, false, false, false).startLevel()).isEqualTo(2);
        ArmStage1Context ias30 = new ArmStage1Context(root, 34, 48, false, false, false);
        long va = 0x2345_6000L;
        long slot = ram.chain(root, va, 21, 12, TABLE);
        ram.write(slot, RW_PAGE);
        assertThat(walk(ias30, va, Permissions.WRITE)).isEqualTo(new Stage1Walk.Translated(0x812345000L, 3));
    }

    @Test
    void anInvalidLevelTwoDescriptorIsATranslationFaultThereAsTv24One() {
        long l2 = ram.chain(root, VA, 39, 21, TABLE);
        assertThat(walk(VA, Permissions.READ)).isEqualTo(fault(ArmStage1Fault.TRANSLATION, 2, l2));
    }

    @Test
    void anUnprivilegedWriteToAPrivilegedReadOnlyPageIsAPermissionFaultAsTv24Two() {
        page(VA, 0x0000000812345f87L);
        assertThat(walk(VA, Permissions.WRITE)).isInstanceOf(Stage1Walk.Failed.class)
                .extracting(w -> ((Stage1Walk.Failed) w).reason()).isEqualTo(ArmStage1Fault.PERMISSION);
        assertThat(GuestTableWalker.reason(walk(VA, Permissions.READ))).as("no EL0 access at all")
                .isEqualTo(ArmStage1Fault.PERMISSION);
        assertThat(walk(VA, PRIV_READ)).isInstanceOf(Stage1Walk.Translated.class);
        assertThat(GuestTableWalker.reason(walk(VA, PRIV_WRITE))).as("read-only at EL1")
                .isEqualTo(ArmStage1Fault.PERMISSION);
    }

    @Test
    void aClearAccessFlagFaultsUnlessTheContextSetsHaOrAffdAsTv24Three() {
        long slot = page(VA, 0x0000000812345b47L);
        assertThat(walk(VA, Permissions.READ)).isEqualTo(fault(ArmStage1Fault.ACCESS_FLAG, 3, slot));
        assertThat(walk(new ArmStage1Context(root, 16, 48, false, true, false), VA, Permissions.READ))
                .isInstanceOf(Stage1Walk.Translated.class);
        assertThat(walk(new ArmStage1Context(root, 16, 48, false, false, true), VA, Permissions.READ))
                .isInstanceOf(Stage1Walk.Translated.class);
        assertThat(ram.read(slot) & AF).as("the walk never sets the flag in guest memory").isZero();
    }

    @Test
    void theAccessFlagIsCheckedBeforePermissions() {
        page(VA, 0x0000000812345f87L & ~AF);
        assertThat(GuestTableWalker.reason(walk(VA, Permissions.WRITE))).isEqualTo(ArmStage1Fault.ACCESS_FLAG);
    }

    @Test
    void anInstructionFetchChecksOnlyTheExecuteNeverBitsAsTv24Six() {
        page(VA, RW_PAGE | NOEXEC);
        assertThat(GuestTableWalker.reason(walk(VA, FETCH))).isEqualTo(ArmStage1Fault.PERMISSION);
        assertThat(walk(VA, Permissions.READ)).isInstanceOf(Stage1Walk.Translated.class);

        long xo = 0x4000_0000L;
        page(xo, (0x0000000812345f47L & ~(1L << 6)) | (1L << 53));   // AP 00: EL1 only; PXN, UXN clear
        assertThat(walk(xo, FETCH)).as("execute-only at EL0").isInstanceOf(Stage1Walk.Translated.class);
        assertThat(GuestTableWalker.reason(walk(xo, Permissions.READ))).isEqualTo(ArmStage1Fault.PERMISSION);
        assertThat(GuestTableWalker.reason(walk(xo, PRIV_FETCH))).as("PXN").isEqualTo(ArmStage1Fault.PERMISSION);
    }

    @Test
    void aPageWritableUnprivilegedIsNeverPrivilegedExecutable() {
        page(VA, RW_PAGE);
        assertThat(GuestTableWalker.reason(walk(VA, PRIV_FETCH))).isEqualTo(ArmStage1Fault.PERMISSION);
        assertThat(walk(VA, FETCH)).isInstanceOf(Stage1Walk.Translated.class);
        long readOnly = 0x4000_0000L;
        page(readOnly, RW_PAGE | (1L << 7));
        assertThat(walk(readOnly, PRIV_FETCH)).isInstanceOf(Stage1Walk.Translated.class);
    }

    @Test
    void honoursTheHierarchicalTableBits() {
        long slot = ram.chain(root, VA, 39, 12, TABLE | (1L << 62));
        ram.write(slot, RW_PAGE);
        assertThat(GuestTableWalker.reason(walk(VA, Permissions.WRITE))).as("APTable[1]")
                .isEqualTo(ArmStage1Fault.PERMISSION);
        assertThat(walk(VA, Permissions.READ)).isInstanceOf(Stage1Walk.Translated.class);

        long va2 = 0x0000_4000_0000_0000L;
        ram.write(ram.chain(root, va2, 39, 12, TABLE | (1L << 61) | (1L << 60)), RW_PAGE | (1L << 53));
        assertThat(GuestTableWalker.reason(walk(va2, Permissions.READ))).as("APTable[0]")
                .isEqualTo(ArmStage1Fault.PERMISSION);
        assertThat(walk(va2, PRIV_WRITE)).isInstanceOf(Stage1Walk.Translated.class);
    }

    @Test
    void mapsBlocksAtLevelsOneAndTwoButNotZero() {
        long l1 = ram.chain(root, VA, 39, 30, TABLE);
        ram.write(l1, 0x0000000080000f45L | (0x3fL << 12));        // 1 GiB block, stray RES0 bits ignored
        assertThat(walk(VA, Permissions.READ))
                .isEqualTo(new Stage1Walk.Translated(0x80000000L | (VA & 0x3fff_ffffL), 1));

        long va2 = 0x0000_0000_4020_1234L;
        long l2 = ram.chain(root, va2, 39, 21, TABLE);
        ram.write(l2, 0x0000000080200f45L);                        // a 2 MiB block as arm_lpae_prot_to_pte writes it
        assertThat(walk(va2, Permissions.WRITE)).isEqualTo(new Stage1Walk.Translated(0x80201234L, 2));

        long va3 = 0x0000_0080_0000_0000L;
        ram.write(HandBuiltTables.entry(root, va3, 39), 0x0000000080000f45L);
        assertThat(walk(va3, Permissions.READ)).isEqualTo(
                fault(ArmStage1Fault.TRANSLATION, 0, HandBuiltTables.entry(root, va3, 39)));
    }

    @Test
    void aLevelThreeDescriptorOfTypeBlockIsInvalid() {
        long slot = page(VA, RW_PAGE & ~2L);
        assertThat(walk(VA, Permissions.READ)).isEqualTo(fault(ArmStage1Fault.TRANSLATION, 3, slot));
    }

    @Test
    void addressesOutsideTheInputRangeOrWithWalksDisabledFaultBeforeAnyRead() {
        page(VA, RW_PAGE);
        assertThat(walk(1L << 48, Permissions.READ))
                .isEqualTo(Stage1Walk.Failed.beforeWalk(ArmStage1Fault.TRANSLATION));
        assertThat(walk(0xffff_0000_0000_0000L | VA, Permissions.READ)).isEqualTo(
                Stage1Walk.Failed.beforeWalk(ArmStage1Fault.TRANSLATION));
        assertThat(walk(new ArmStage1Context(root, 16, 48, true, false, false), VA, Permissions.READ))
                .isEqualTo(Stage1Walk.Failed.beforeWalk(ArmStage1Fault.TRANSLATION));
    }

    @Test
    void outputAndTableAddressesBeyondTheOutputSizeAreAddressSizeFaults() {
        ArmStage1Context ips32 = new ArmStage1Context(root, 16, 32, false, false, false);
        long slot = page(VA, RW_PAGE);
        assertThat(walk(ips32, VA, Permissions.READ)).isEqualTo(fault(ArmStage1Fault.ADDRESS_SIZE, 3, slot));

        long va2 = 0x0000_0040_0000_0000L;
        long l1 = ram.chain(root, va2, 39, 30, TABLE);
        ram.write(l1, 0x0000_0001_0000_0000L | TABLE);
        assertThat(walk(ips32, va2, Permissions.READ)).isEqualTo(fault(ArmStage1Fault.ADDRESS_SIZE, 1, l1));
        assertThat(GuestTableWalker.reason(walk(va2, Permissions.READ))).as("48-bit output reads on")
                .isEqualTo(ArmStage1Fault.WALK_EXTERNAL_ABORT);
    }

    @Test
    void aTableOutsideGuestRamIsAWalkExternalAbortAtItsDescriptor() {
        long l1 = ram.chain(root, VA, 39, 30, TABLE);
        ram.write(l1, HandBuiltTables.RAM | TABLE);
        long next = HandBuiltTables.RAM + ((VA >>> 21) & 0x1ff) * 8;
        assertThat(walk(VA, Permissions.READ)).isEqualTo(fault(ArmStage1Fault.WALK_EXTERNAL_ABORT, 2, next));
    }
}
