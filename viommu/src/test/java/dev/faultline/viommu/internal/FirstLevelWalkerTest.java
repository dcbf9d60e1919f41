package dev.faultline.viommu.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.fault.Permission;
import dev.faultline.api.fault.Permissions;
import dev.faultline.viommu.FirstLevelContext;
import dev.faultline.viommu.FirstLevelFault;
import org.junit.jupiter.api.Test;

/** The VT-d first-level walker against VT-d first-level paging and faults and a hand-computed walk. */
class FirstLevelWalkerTest {
    /** Intermediate entries as Linux writes them: P | R/W | U/S. */
    private static final long LINK = 0x7;
    private static final long VA = 0x00007f1234567000L;
    /** The leaf of a hand-computed first-level walk: P, R/W, U/S, A, D, XD, frame 0x123456000. */
    private static final long USER_RW = 0x8000000123456067L;
    private static final Permissions PRIV_READ = Permissions.of(Permission.READ, Permission.PRIV);
    private static final Permissions PRIV_WRITE = Permissions.of(Permission.WRITE, Permission.PRIV);

    private final HandBuiltTables ram = new HandBuiltTables();
    private final long root = ram.table();
    private final FirstLevelContext user = FirstLevelContext.user(root);

    private long page(long va, long leaf, long link) {
        long slot = ram.chain(root, va, 39, 12, link);
        ram.write(slot, leaf);
        return slot;
    }

    private Stage1Walk walk(FirstLevelContext context, long va, Permissions access) {
        return FirstLevelWalker.walk(ram.guest, context, va, access);
    }

    private FirstLevelFault reason(FirstLevelContext context, long va, Permissions access) {
        Stage1Walk walk = walk(context, va, access);
        return walk instanceof Stage1Walk.Failed f ? (FirstLevelFault) f.reason() : null;
    }

    @Test
    void aUserWriteToTheTv39LeafTranslates() {
        page(VA, USER_RW, LINK);
        assertThat(walk(user, VA | 0x123, Permissions.WRITE)).isEqualTo(new Stage1Walk.Translated(0x123456123L, 1));
        assertThat(ram.read(root + 0xfe * 8)).as("PML4 index 0xfe").isNotZero();
    }

    @Test
    void theTv39LeavesGiveTheirFaultReasons() {
        long slot = page(VA, 0x8000000123456065L, LINK);
        assertThat(reason(user, VA, Permissions.WRITE)).isEqualTo(FirstLevelFault.WRITE_DENIED);
        assertThat(FirstLevelFault.WRITE_DENIED.code()).isEqualTo(0x85);
        ram.write(slot, 0x8000000123456063L);
        assertThat(reason(user, VA, Permissions.READ)).isEqualTo(FirstLevelFault.USER_ACCESS_DENIED);
        assertThat(FirstLevelFault.USER_ACCESS_DENIED.code()).isEqualTo(0x81);
        ram.write(slot, 0);
        assertThat(walk(user, VA, Permissions.READ))
                .isEqualTo(new Stage1Walk.Failed(FirstLevelFault.NOT_PRESENT, 1, slot));
        assertThat(reason(user, 0x0000800000000000L, Permissions.READ)).isEqualTo(FirstLevelFault.NON_CANONICAL);
        assertThat(FirstLevelFault.NON_CANONICAL.code()).isEqualTo(0x80);
    }

    @Test
    void acceptsCanonicalUpperHalfAddresses() {
        long upper = 0xffff_8000_0000_0000L;
        page(upper, USER_RW, LINK);
        assertThat(walk(user, upper, Permissions.READ)).isInstanceOf(Stage1Walk.Translated.class);
    }

    @Test
    void combinesUserAndWriteOverEveryLevel() {
        page(VA, USER_RW, 0x5);    // links read-only
        assertThat(reason(user, VA, Permissions.WRITE)).isEqualTo(FirstLevelFault.WRITE_DENIED);
        long va2 = 0x0000_1000_0000_0000L;
        page(va2, USER_RW, 0x3);   // links supervisor-only
        assertThat(reason(user, va2, Permissions.READ)).isEqualTo(FirstLevelFault.USER_ACCESS_DENIED);
    }

    @Test
    void judgesEachEntryBeforeReadingTheNextSoAPermissionWithheldAboveOutranksANotPresentEntryBelow() {
        ram.chain(root, VA, 39, 21, 0x3);                 // U/S = 0 in the PML4, PDPT entries; PD entry absent
        long pml4 = HandBuiltTables.entry(root, VA, 39);
        assertThat(walk(user, VA, Permissions.READ)).isEqualTo(
                new Stage1Walk.Failed(FirstLevelFault.USER_ACCESS_DENIED, 4, pml4));
        FirstLevelContext supervisor = new FirstLevelContext(root, true, false, false, 48);
        assertThat(reason(supervisor, VA, Permissions.of(Permission.READ, Permission.PRIV)))
                .isEqualTo(FirstLevelFault.NOT_PRESENT);
        ram.write(pml4, ram.read(pml4) | (1L << 50));     // a reserved address bit too: U/S still comes first
        assertThat(reason(user, VA, Permissions.READ)).isEqualTo(FirstLevelFault.USER_ACCESS_DENIED);
    }

    @Test
    void privilegedRequestsNeedSreAndThenIgnoreUserAndWithoutWpeReadOnly() {
        page(VA, 0x8000000123456061L, 0x1);               // P | A, supervisor read-only at every level
        assertThat(reason(user, VA, PRIV_READ)).isEqualTo(FirstLevelFault.SUPERVISOR_REQUESTS_DISABLED);
        assertThat(FirstLevelFault.SUPERVISOR_REQUESTS_DISABLED.code()).isEqualTo(0x5d);
        FirstLevelContext sre = new FirstLevelContext(root, true, false, false, 48);
        assertThat(walk(sre, VA, PRIV_READ)).isInstanceOf(Stage1Walk.Translated.class);
        assertThat(walk(sre, VA, PRIV_WRITE)).as("WPE = 0").isInstanceOf(Stage1Walk.Translated.class);
        FirstLevelContext wpe = new FirstLevelContext(root, true, false, true, 48);
        assertThat(reason(wpe, VA, PRIV_WRITE)).isEqualTo(FirstLevelFault.WRITE_DENIED);
    }

    @Test
    void anExecuteRequestNeedsEreAndThenAPageWithoutExecuteDisable() {
        Permissions fetch = Permissions.of(Permission.READ, Permission.EXEC);
        page(VA, USER_RW, LINK);
        assertThat(reason(user, VA, fetch)).isEqualTo(FirstLevelFault.EXECUTE_REQUESTS_DISABLED);
        assertThat(FirstLevelFault.EXECUTE_REQUESTS_DISABLED.code()).isEqualTo(0x5c);
        FirstLevelContext ere = new FirstLevelContext(root, false, true, false, 48);
        assertThat(reason(ere, VA, fetch)).isEqualTo(FirstLevelFault.EXECUTE_DENIED);
        long va2 = 0x0000_2000_0000_0000L;
        page(va2, USER_RW & ~(1L << 63), LINK | (1L << 63));
        assertThat(reason(ere, va2, fetch)).as("XD above").isEqualTo(FirstLevelFault.EXECUTE_DENIED);
        long va3 = 0x0000_3000_0000_0000L;
        page(va3, USER_RW & ~(1L << 63), LINK);
        assertThat(walk(ere, va3, fetch)).isInstanceOf(Stage1Walk.Translated.class);
        assertThat(reason(ere, VA, Permissions.of(Permission.READ, Permission.EXEC, Permission.PRIV)))
                .as("ERE is checked before SRE").isEqualTo(FirstLevelFault.SUPERVISOR_REQUESTS_DISABLED);
    }

    @Test
    void reservedBitsAreAddressBitsBeyondTheWidthPsInAPml4AndBitsInsideALargeFrame() {
        long slot = page(VA, USER_RW | (1L << 48), LINK);
        assertThat(reason(user, VA, Permissions.READ)).isEqualTo(FirstLevelFault.RESERVED_BIT);
        assertThat(walk(new FirstLevelContext(root, false, false, false, 52), VA, Permissions.READ))
                .as("52-bit width").isInstanceOf(Stage1Walk.Translated.class);
        ram.write(slot, USER_RW);

        long ps = 0x0000_3000_0000_0000L;
        ram.write(HandBuiltTables.entry(root, ps, 39), 0x80L | USER_RW);
        assertThat(reason(user, ps, Permissions.READ)).as("PS in PML4").isEqualTo(FirstLevelFault.RESERVED_BIT);

        long big = 0x0000_0000_4020_0000L;
        long pd = ram.chain(root, big, 39, 21, LINK);
        ram.write(pd, 0x80200000L | 0x80 | 0x67 | (1L << 12));   // 2 MiB page, PAT set: fine
        assertThat(walk(user, big + 0x1234, Permissions.WRITE)).isEqualTo(new Stage1Walk.Translated(0x80201234L, 2));
        ram.write(pd, 0x80200000L | 0x80 | 0x67 | (1L << 13));
        assertThat(reason(user, big, Permissions.READ)).isEqualTo(FirstLevelFault.RESERVED_BIT);
    }

    @Test
    void mapsOneGigabytePages() {
        long va = 0x0000_0040_0000_0000L;
        long pdpt = ram.chain(root, va, 39, 30, LINK);
        ram.write(pdpt, 0x1_4000_0000L | 0x80 | 0x67);
        assertThat(walk(user, va + 0x2345_6789L, Permissions.READ)).isEqualTo(
                new Stage1Walk.Translated(0x1_6345_6789L, 3));
    }

    @Test
    void tablesOutsideGuestRamAreAccessErrors() {
        FirstLevelContext outside = FirstLevelContext.user(HandBuiltTables.RAM);
        assertThat(reason(outside, VA, Permissions.READ)).isEqualTo(FirstLevelFault.PML4_ACCESS_ERROR);
        assertThat(FirstLevelFault.PML4_ACCESS_ERROR.code()).isEqualTo(0x73);
        ram.write(HandBuiltTables.entry(root, VA, 39), HandBuiltTables.RAM | LINK);
        assertThat(reason(user, VA, Permissions.READ)).isEqualTo(FirstLevelFault.ENTRY_ACCESS_ERROR);
        assertThat(FirstLevelFault.ENTRY_ACCESS_ERROR.code()).isEqualTo(0x70);
    }

    @Test
    void anOutputInTheInterruptRangeIsRefused() {
        page(VA, 0xfee0_0000L | 0x67, LINK);
        assertThat(reason(user, VA, Permissions.WRITE)).isEqualTo(FirstLevelFault.INTERRUPT_ADDRESS);
        assertThat(FirstLevelFault.INTERRUPT_ADDRESS.code()).isEqualTo(0x87);
    }

    @Test
    void neverWritesAccessedOrDirtyBits() {
        long slot = page(VA, 0x0000000123456007L, LINK);
        walk(user, VA, Permissions.WRITE);
        assertThat(ram.read(slot)).isEqualTo(0x0000000123456007L);
    }
}
