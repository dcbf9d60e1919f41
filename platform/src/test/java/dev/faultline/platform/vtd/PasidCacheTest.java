package dev.faultline.platform.vtd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.platform.dma.AccessType;
import dev.faultline.platform.dma.DmaAccess;
import dev.faultline.platform.dma.TranslationOutcome;
import dev.faultline.platform.x86.FirstLevelPageTable;
import dev.faultline.platform.x86.PageProtection;
import org.junit.jupiter.api.Test;

/**
 * The unit caches present PASID entries (VT-d §6.5): a driver that changes or clears an entry without a
 * PASID-cache invalidation keeps translating through the old one, which is how a missing invalidation is caught.
 */
class PasidCacheTest {
    private static final int RID = 0x0300;
    private static final int PASID = 0x2345;
    private static final int DID = 1;
    private static final long VA = 0x7f00_0040_1000L;
    private static final long PA = 0x2_0000_0000L;

    private final UnitFixture fixture = new UnitFixture(8);
    private final RemappingUnit unit = fixture.unit;

    private TranslationOutcome read(int pasid) {
        return unit.issue(new DmaAccess(RID, pasid, VA, AccessType.READ, false, 4, false)).outcome();
    }

    private FirstLevelPageTable mapped() {
        FirstLevelPageTable table = fixture.attach(RID, PASID);
        table.map(VA, PA, 0x1000, PageProtection.READ_WRITE);
        assertThat(read(PASID)).isEqualTo(TranslationOutcome.TRANSLATED);
        return table;
    }

    /** Clears the entry as a buggy driver would: in memory only. */
    private void clearWithoutInvalidating() {
        fixture.writePasidEntryOnly(fixture.pasidEntry(RID, PASID), PasidEntry.of(0, 0, 0, 0, 0, 0, 0, 0));
    }

    @Test
    void aClearedEntryKeepsTranslatingUntilItsPasidIsInvalidated() {
        mapped();
        clearWithoutInvalidating();
        assertThat(read(PASID)).as("the cached entry").isEqualTo(TranslationOutcome.TRANSLATED);
        assertThat(unit.counters().pasidCacheHits()).isPositive();

        fixture.submit(0x7 | 1L << 4 | (long) (DID + 1) << 16 | (long) PASID << 32, 0); // another domain's
        assertThat(read(PASID)).isEqualTo(TranslationOutcome.TRANSLATED);
        fixture.submit(0x7 | 1L << 4 | (long) DID << 16 | (long) (PASID + 1) << 32, 0); // another PASID
        assertThat(read(PASID)).isEqualTo(TranslationOutcome.TRANSLATED);
        fixture.submit(0x7 | 1L << 4 | (long) DID << 16 | (long) PASID << 32, 0); // QI_PC_PASID_SEL

        assertThat(read(PASID)).isEqualTo(TranslationOutcome.ABORTED);
        assertThat(fixture.faultRecord(0).reasonCode()).isEqualTo(FaultReason.SM_PASID_ENTRY_NOT_PRESENT);
    }

    @Test
    void domainGlobalAndContextInvalidationsDropTheEntriesTheyName() {
        mapped();
        clearWithoutInvalidating();
        fixture.submit(0x7 | (long) DID << 16, 0); // QI_PC_ALL_PASIDS of the domain
        assertThat(read(PASID)).isEqualTo(TranslationOutcome.ABORTED);

        mapped();
        clearWithoutInvalidating();
        fixture.submit(UnitFixture.GLOBAL_PASID_CACHE_INVALIDATION, 0);
        assertThat(read(PASID)).isEqualTo(TranslationOutcome.ABORTED);

        mapped();
        clearWithoutInvalidating();
        fixture.submit(0x1 | 3L << 4 | (long) (RID + 1) << 32, 0); // cc_inv of another device
        assertThat(read(PASID)).isEqualTo(TranslationOutcome.TRANSLATED);
        fixture.submit(0x1 | 3L << 4 | (long) RID << 32, 0); // cc_inv device-selective
        assertThat(read(PASID)).isEqualTo(TranslationOutcome.ABORTED);
        assertThat(fixture.faultStatus().invalidationQueueError()).isFalse();
    }

    @Test
    void manyDevicesAndPasidsEachKeepTheirEntryAndAnInvalidationDropsOnlyWhatItNames() {
        int devices = 4;
        int pasids = 80;
        for (int d = 0; d < devices; d++) {
            for (int p = 1; p <= pasids; p++) {
                fixture.attach(RID + (d << 3), p).map(VA, PA, 0x1000, PageProtection.READ_WRITE);
            }
        }
        for (int round = 0; round < 2; round++) {
            for (int d = 0; d < devices; d++) {
                for (int p = 1; p <= pasids; p++) {
                    assertThat(unit.issue(new DmaAccess(RID + (d << 3), p, VA, AccessType.READ, false, 4, false))
                            .outcome()).isEqualTo(TranslationOutcome.TRANSLATED);
                }
            }
        }
        assertThat(unit.counters().pasidCacheEntries()).isEqualTo(devices * pasids);
        assertThat(unit.counters().pasidCacheHits()).as("the second round").isEqualTo(devices * pasids);

        fixture.submit(0x7 | 1L << 4 | (long) DID << 16 | 7L << 32, 0); // PASID 7 of the domain, on every device
        assertThat(unit.counters().pasidCacheEntries()).isEqualTo(devices * (pasids - 1));
        fixture.submit(0x1 | 3L << 4 | (long) RID << 32, 0); // cc_inv of the first device
        assertThat(unit.counters().pasidCacheEntries()).isEqualTo((devices - 1) * (pasids - 1));
    }

    @Test
    void aReservedGranularityStopsTheQueue() {
        fixture.submit(0x7 | 2L << 4, 0);
        assertThat(fixture.faultStatus().invalidationQueueError()).isTrue();
    }
}
