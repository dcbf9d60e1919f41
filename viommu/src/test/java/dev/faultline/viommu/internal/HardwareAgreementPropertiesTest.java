package dev.faultline.viommu.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.fault.Pasid;
import dev.faultline.platform.dma.TranslationOutcome;
import dev.faultline.testkit.property.Gens;
import dev.faultline.testkit.property.Property;
import dev.faultline.testkit.property.Sample;
import dev.faultline.viommu.ArmStage1Fault;
import dev.faultline.viommu.FaultReason;
import dev.faultline.viommu.FirstLevelFault;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Over random guest tables and random accesses ({@link RandomGuestTables}), the reason the vIOMMU derives with
 * its own walker equals the one the hardware model reports: the SMMUv3 event number, or the VT-d fault reason,
 * read from the event queue or the fault recording register of a hardware model programmed through its
 * registers. Where the hardware translates, the vIOMMU's walk reaches the same output address.
 */
class HardwareAgreementPropertiesTest {

    // ---- Arm stage 1 on the SMMUv3 model ----------------------------------------------------------------

    @Test
    void theDerivedArmReasonIsTheEventTheSmmuRecords() {
        List<Object> cases = Stream.<Object>concat(Stream.of("translated"), Stream.of(ArmStage1Fault.values()))
                .toList();
        Property.tries(1000).cover(cases).check(s -> armAgreement(s, s.draw("seed", Gens.longs())));
    }

    private static void armAgreement(Sample sample, long seed) throws InterruptedException {
        RandomGuestTables.ArmRun run = RandomGuestTables.arm(new SplittableRandom(seed));
        Stage1Walk derived = GuestTableWalker.walk(run.guest(), run.context(), Pasid.NONE, run.address(),
                run.permissions());
        String context = "seed " + seed + ": " + run.description() + ", vIOMMU " + derived;
        if (run.outcome() == TranslationOutcome.TRANSLATED) {
            assertThat(run.events()).as(context).isEmpty();
            assertThat(derived).as(context).isEqualTo(new Stage1Walk.Translated(run.physicalAddress(),
                    ((Stage1Walk.Translated) derived).level()));
            sample.classify("translated");
        } else {
            assertThat(run.events()).as(context).hasSize(1);
            int reported = run.events().get(0).id();
            assertThat(derived).as(context).isInstanceOf(Stage1Walk.Failed.class);
            FaultReason reason = ((Stage1Walk.Failed) derived).reason();
            assertThat(reason.code()).as(context).isEqualTo(reported);
            sample.classify(reason);
        }
    }

    // ---- VT-d first level on the remapping unit model ---------------------------------------------------

    @Test
    void theDerivedFirstLevelReasonIsTheFaultReasonTheUnitRecords() {
        List<Object> cases = List.of("translated", FirstLevelFault.NOT_PRESENT, FirstLevelFault.RESERVED_BIT,
                FirstLevelFault.NON_CANONICAL, FirstLevelFault.USER_ACCESS_DENIED, FirstLevelFault.WRITE_DENIED,
                FirstLevelFault.SUPERVISOR_REQUESTS_DISABLED, FirstLevelFault.ENTRY_ACCESS_ERROR,
                FirstLevelFault.EXECUTE_REQUESTS_DISABLED, FirstLevelFault.EXECUTE_DENIED);
        Property.tries(1000).cover(cases).check(s -> firstLevelAgreement(s, s.draw("seed", Gens.longs())));
    }

    private static void firstLevelAgreement(Sample sample, long seed) throws InterruptedException {
        RandomGuestTables.VtdRun run = RandomGuestTables.vtd(new SplittableRandom(seed));
        Stage1Walk derived = GuestTableWalker.walk(run.guest(), run.context(), run.pasid(), run.address(),
                run.permissions());
        String description = "seed " + seed + ": " + run.description() + ", vIOMMU " + derived;
        if (run.outcome() == TranslationOutcome.TRANSLATED) {
            assertThat(run.record().valid()).as(description).isFalse();
            assertThat(derived).as(description).isInstanceOf(Stage1Walk.Translated.class);
            assertThat(((Stage1Walk.Translated) derived).outputAddress()).as(description)
                    .isEqualTo(run.physicalAddress());
            sample.classify("translated");
        } else {
            assertThat(run.record().valid()).as(description).isTrue();
            assertThat(derived).as(description).isInstanceOf(Stage1Walk.Failed.class);
            FaultReason reason = ((Stage1Walk.Failed) derived).reason();
            assertThat(reason.code()).as(description).isEqualTo(run.record().reasonCode());
            sample.classify(reason);
        }
    }
}
