package dev.faultline.platform.dma;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.api.fault.Pasid;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A device reuses its transaction as a PCIe tag: reopened after its outcome, issued again; misuse is refused. */
class DmaTransactionTest {
    private static final DmaAccess ACCESS = DmaAccess.of(0x300, 0x5008, AccessType.READ, 4);

    private final ScriptedPort port = new ScriptedPort();

    @Test
    void aReopenedTransactionBehavesLikeANewOne() {
        DmaTransaction tx = new DmaTransaction(ACCESS);
        List<String> heard = new ArrayList<>();
        port.outcomes.add(t -> {
            t.stall();
            t.retry();
            t.translate(0x6000_0008L);
        });
        port.issue(tx).whenComplete(t -> heard.add("first " + t.outcome()));
        assertThat(tx.outcome()).isEqualTo(TranslationOutcome.TRANSLATED);
        assertThat(tx.stalls()).isEqualTo(1);

        assertThat(tx.reopen()).isSameAs(tx);
        DmaTransaction fresh = new DmaTransaction(ACCESS);
        assertThat(tx.access()).isSameAs(ACCESS);
        assertThat(tx.outcome()).isEqualTo(fresh.outcome()).isEqualTo(TranslationOutcome.PENDING);
        assertThat(tx.physicalAddress()).isEqualTo(fresh.physicalAddress()).isZero();
        assertThat(tx.stalls()).isEqualTo(fresh.stalls()).isZero();
        assertThat(tx).hasToString(fresh.toString());

        port.outcomes.add(DmaTransaction::abort);
        assertThat(port.issue(tx)).isSameAs(tx);
        tx.whenComplete(t -> heard.add("second " + t.outcome()));
        assertThat(heard).as("the first listener is not called again").containsExactly("first TRANSLATED",
                "second ABORTED");
        assertThat(port.issued).containsExactly(ACCESS, ACCESS);
    }

    @Test
    void onlyAFinalTransactionReopens() {
        DmaTransaction pending = new DmaTransaction(ACCESS);
        assertThatThrownBy(pending::reopen).isInstanceOf(IllegalStateException.class).hasMessageContaining("PENDING");
        port.outcomes.add(DmaTransaction::stall);
        DmaTransaction stalled = port.issue(ACCESS);
        assertThatThrownBy(stalled::reopen).isInstanceOf(IllegalStateException.class).hasMessageContaining("STALLED");
        assertThat(stalled.outcome()).isEqualTo(TranslationOutcome.STALLED);
    }

    @Test
    void aTransactionInFlightOrFinalIsNotIssuedAgain() {
        DmaTransaction tx = port.issue(ACCESS); // nothing scripted: it stays pending at the port
        assertThatThrownBy(() -> port.issue(tx)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("in flight");
        tx.noTranslation();
        assertThatThrownBy(() -> port.issue(tx)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("reopen it first");
        assertThat(port.issued).as("the port took it in once").hasSize(1);
        port.outcomes.add(t -> t.translate(0x1000));
        assertThat(port.issue(tx.reopen()).outcome()).isEqualTo(TranslationOutcome.TRANSLATED);
    }

    @Test
    void issuingAnAccessIssuesANewTransactionEachTime() {
        DmaTransaction first = port.issue(ACCESS);
        DmaTransaction second = port.issue(ACCESS);
        assertThat(first).isNotSameAs(second);
        assertThat(second.outcome()).isEqualTo(TranslationOutcome.PENDING);
    }

    @Test
    void aReceiverTakingRecordsGetsTheRecordOfTheFields() {
        List<PrgResponseMessage> got = new ArrayList<>();
        PrgResponseReceiver receiver = got::add;
        receiver.receive(0x300, 5, 0x12, 0b0001);
        receiver.receive(0x301, Pasid.NONE, 0x1ff, 0b1010);
        assertThat(got).containsExactly(new PrgResponseMessage(0x300, 5, 0x12, 0b0001),
                new PrgResponseMessage(0x301, Pasid.NONE, 0x1ff, 0b1010));
        assertThatThrownBy(() -> receiver.receive(0x1_0000, 5, 0, 0)).as("the record still checks its fields")
                .isInstanceOf(IllegalArgumentException.class);
    }
}
