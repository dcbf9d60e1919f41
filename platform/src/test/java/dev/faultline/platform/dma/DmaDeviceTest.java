package dev.faultline.platform.dma;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.api.fault.Pasid;
import dev.faultline.platform.memory.PhysicalMemory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DmaDeviceTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private final PhysicalMemory memory = new PhysicalMemory();
    private final ScriptedPort port = new ScriptedPort();

    private DmaDevice priDevice() {
        PriCapability pri = new PriCapability(8, true);
        pri.enable();
        return DmaDevice.withPri("nic", 0x300, port, memory, pri);
    }

    @Test
    void translatedWriteAndReadReachPhysicalMemory() {
        DmaDevice dev = DmaDevice.of("dma0", 0x42, port, memory);
        port.outcomes.add(tx -> tx.translate(0x8000_1010L));
        port.outcomes.add(tx -> tx.translate(0x8000_1010L));
        assertThat(dev.write(Pasid.NONE, 0x1010, new byte[] {1, 2, 3}, WAIT).status()).isEqualTo(DmaStatus.COMPLETED);
        DmaResult read = dev.read(Pasid.NONE, 0x1010, 3, WAIT);
        assertThat(read.data()).containsExactly(1, 2, 3);
        assertThat(memory.read8(0x8000_1012L)).isEqualTo(3);
    }

    @Test
    void abortedAndRazWiAccessesNeverTouchMemory() {
        DmaDevice dev = DmaDevice.of("dma0", 0x42, port, memory);
        port.outcomes.add(DmaTransaction::abort);
        port.outcomes.add(DmaTransaction::terminateRazWi);
        assertThat(dev.write(5, 0x1000, new byte[] {9}, WAIT).status()).isEqualTo(DmaStatus.ABORTED);
        DmaResult raz = dev.read(5, 0x1000, 4, WAIT);
        assertThat(raz.status()).isEqualTo(DmaStatus.RAZ_WI);
        assertThat(raz.data()).containsExactly(0, 0, 0, 0);
        assertThat(memory.residentPages()).isZero();
    }

    @Test
    void stalledAccessCompletesWhenTheIommuRetriesIt() throws Exception {
        DmaDevice dev = DmaDevice.of("dma0", 0x42, port, memory);
        DmaTransaction[] held = new DmaTransaction[1];
        port.outcomes.add(tx -> {
            tx.stall();
            held[0] = tx;
        });
        DmaTransaction tx = dev.start(DmaAccess.of(0x42, 0x2000, AccessType.READ, 8));
        assertThat(tx.outcome()).isEqualTo(TranslationOutcome.STALLED);
        assertThat(tx.await(0, TimeUnit.SECONDS)).isEqualTo(TranslationOutcome.STALLED);
        held[0].retry();
        held[0].translate(0x9000_0000L);
        assertThat(tx.await(1, TimeUnit.SECONDS)).isEqualTo(TranslationOutcome.TRANSLATED);
        assertThat(tx.stalls()).isEqualTo(1);
        assertThatThrownBy(tx::abort).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void unansweredStallTimesOut() {
        DmaDevice dev = DmaDevice.of("dma0", 0x42, port, memory);
        port.outcomes.add(DmaTransaction::stall);
        DmaResult r = dev.read(Pasid.NONE, 0x2000, 8, Duration.ZERO);
        assertThat(r.status()).isEqualTo(DmaStatus.TIMED_OUT);
        assertThat(r.stalls()).isEqualTo(1);
    }

    @Test
    void successResponseRetriesTheTranslationRequest() {
        DmaDevice dev = priDevice();
        port.outcomes.add(DmaTransaction::noTranslation);
        port.outcomes.add(tx -> tx.translate(0xa000_0000L));
        port.responseCodes.add(PrgResponseCode.SUCCESS.code());
        DmaResult r = dev.write(7, 0x7f00_0040_0010L, new byte[] {4}, WAIT);
        assertThat(r.status()).isEqualTo(DmaStatus.COMPLETED);
        assertThat(r.pageRequests()).isEqualTo(1);
        assertThat(port.issued).allMatch(DmaAccess::translationRequest).hasSize(2);
        PageRequestMessage m = port.requests.get(0);
        assertThat(m.pageAddress()).isEqualTo(0x7f00_0040_0000L);
        assertThat(m.write()).isTrue();
        assertThat(m.read()).isFalse();
        assertThat(m.last()).isTrue();
        assertThat(m.pasid()).isEqualTo(7);
        assertThat(dev.pri().orElseThrow().outstanding()).isZero();
    }

    @Test
    void invalidRequestFailsTheAccessWithoutStoppingPri() {
        DmaDevice dev = priDevice();
        port.outcomes.add(DmaTransaction::noTranslation);
        port.responseCodes.add(PrgResponseCode.INVALID_REQUEST.code());
        assertThat(dev.read(Pasid.NONE, 0x5000, 4, WAIT).status()).isEqualTo(DmaStatus.PAGE_REQUEST_INVALID);
        assertThat(dev.pri().orElseThrow().canRequest()).isTrue();
    }

    @Test
    void responseFailureStopsPageRequestsUntilReset() {
        DmaDevice dev = priDevice();
        PriCapability pri = dev.pri().orElseThrow();
        port.outcomes.add(DmaTransaction::noTranslation);
        port.responseCodes.add(PrgResponseCode.RESPONSE_FAILURE.code());
        assertThat(dev.read(Pasid.NONE, 0x5000, 4, WAIT).status()).isEqualTo(DmaStatus.PAGE_REQUEST_FAILED);
        assertThat(pri.status() & PriCapability.STATUS_RF).isNotZero();
        // With PRI stopped the device sends untranslated accesses, which fault normally.
        port.outcomes.add(DmaTransaction::abort);
        assertThat(dev.read(Pasid.NONE, 0x5000, 4, WAIT).status()).isEqualTo(DmaStatus.ABORTED);
        assertThat(port.issued.get(1).translationRequest()).isFalse();
        assertThat(port.requests).hasSize(1);
        pri.writeControl(PriCapability.CTRL_RESET);
        pri.enable();
        assertThat(pri.canRequest()).isTrue();
    }

    @Test
    void reservedResponseCodeIsTreatedAsResponseFailure() {
        DmaDevice dev = priDevice();
        port.outcomes.add(DmaTransaction::noTranslation);
        port.responseCodes.add(0b0010);
        assertThat(dev.read(Pasid.NONE, 0x5000, 4, WAIT).status()).isEqualTo(DmaStatus.PAGE_REQUEST_FAILED);
        assertThat(dev.pri().orElseThrow().responseFailure()).isTrue();
    }

    @Test
    void successThatNeverMapsEndsAfterBoundedRetries() {
        DmaDevice dev = priDevice();
        for (int i = 0; i <= DmaDevice.MAX_PAGE_REQUEST_ROUNDS; i++) {
            port.outcomes.add(DmaTransaction::noTranslation);
        }
        DmaResult r = dev.read(1, 0x5000, 4, WAIT);
        assertThat(r.status()).isEqualTo(DmaStatus.RETRIES_EXHAUSTED);
        assertThat(r.pageRequests()).isEqualTo(DmaDevice.MAX_PAGE_REQUEST_ROUNDS);
    }

    @Test
    void multiPageGroupSetsLastOnlyOnTheFinalRequest() {
        DmaDevice dev = priDevice();
        assertThat(dev.requestPages(5, new long[] {0x7f00_0040_0000L, 0x7f00_0040_1000L}, true, false, WAIT))
                .map(PrgResponseMessage::code).contains(PrgResponseCode.SUCCESS);
        assertThat(port.requests).extracting(PageRequestMessage::last).containsExactly(false, true);
        assertThat(port.requests).extracting(PageRequestMessage::prgIndex).containsOnly(port.requests.get(0).prgIndex());
    }

    @Test
    void unansweredGroupTimesOutAndReturnsItsCredits() {
        DmaDevice dev = priDevice();
        port.silent = true;
        assertThat(dev.requestPages(5, new long[] {0x1000}, true, false, Duration.ZERO)).isEmpty();
        assertThat(dev.pri().orElseThrow().outstanding()).isZero();
        assertThat(dev.pendingGroups()).isZero();
    }

    @Test
    void responseForUnknownIndexSetsUnexpectedPrgIndex() {
        DmaDevice dev = priDevice();
        dev.receive(PrgResponseMessage.of(0x300, Pasid.NONE, 0x1ff, PrgResponseCode.SUCCESS));
        assertThat(dev.unexpectedResponses()).isEqualTo(1);
        assertThat(dev.pri().orElseThrow().status() & PriCapability.STATUS_UPRGI).isNotZero();
    }

    @Test
    void creditsBoundOutstandingRequests() {
        PriCapability pri = new PriCapability(2, false);
        pri.enable();
        DmaDevice dev = DmaDevice.withPri("nic", 0x300, port, memory, pri);
        assertThatThrownBy(() -> dev.requestPages(1, new long[] {0, 0x1000, 0x2000}, true, false, WAIT))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("out of credits");
    }

    @Test
    void deviceWithoutPriReportsNoTranslationAsUnavailable() {
        DmaDevice dev = DmaDevice.of("dma0", 0x42, port, memory);
        port.outcomes.add(DmaTransaction::noTranslation);
        assertThat(dev.read(Pasid.NONE, 0x1000, 4, WAIT).status()).isEqualTo(DmaStatus.PRI_UNAVAILABLE);
    }

    @Test
    void executeAndPrivilegedNeedAPasidPrefix() {
        DmaDevice dev = priDevice();
        port.outcomes.add(DmaTransaction::noTranslation);
        port.outcomes.add(tx -> tx.translate(0x1000));
        dev.perform(new DmaAccess(0x300, Pasid.NONE, 0x4000, AccessType.INSTRUCTION_FETCH, true, 4, false), null, WAIT);
        PageRequestMessage m = port.requests.get(0);
        assertThat(m.execute()).isFalse();
        assertThat(m.privileged()).isFalse();
        assertThat(m.read()).isTrue();
        assertThatThrownBy(() -> new PageRequestMessage(0x300, Pasid.NONE, true, false, true, false, true, 1, 0))
                .hasMessageContaining("PASID prefix");
    }

    @Test
    void stopMarkerIsRecognisedOnlyWithAPasid() {
        assertThat(PageRequestMessage.stopMarker(0x300, 4, 0).isStopMarker()).isTrue();
        assertThat(new PageRequestMessage(0x300, Pasid.NONE, false, false, false, false, true, 0, 0).isStopMarker())
                .isFalse();
    }
}
