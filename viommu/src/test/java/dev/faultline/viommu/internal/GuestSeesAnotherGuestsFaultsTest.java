package dev.faultline.viommu.internal;

import static dev.faultline.viommu.internal.GuestsOnOneIommu.NIC1;
import static dev.faultline.viommu.internal.GuestsOnOneIommu.NIC2;
import static dev.faultline.viommu.internal.GuestsOnOneIommu.pageRequest;
import static dev.faultline.viommu.internal.GuestsOnOneIommu.unrecoverable;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.fault.Pasid;
import dev.faultline.viommu.GuestEvent;
import dev.faultline.viommu.PageRequestEvent;
import dev.faultline.viommu.UnrecoverableEvent;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Attack: a guest tries to see another guest's faults: through its own event queue, by sharing the other guest's
 * virtual device id and group ids, or through the host's log. Each guest's queue holds only its own devices'
 * faults, and the host never prints a guest's fault, not even one nobody handles.
 */
class GuestSeesAnotherGuestsFaultsTest {
    private final GuestsOnOneIommu host = new GuestsOnOneIommu(60_000);

    @AfterEach
    void close() {
        host.close();
    }

    @Test
    void aGuestsQueueHoldsOnlyItsOwnDevicesFaultsThoughIdsCoincide() {
        for (int i = 0; i < 10; i++) {
            pageRequest(host.nic1, Pasid.NONE, i, 0x10_0000L + 0x1000L * i);
            pageRequest(host.nic2, Pasid.NONE, i, 0x20_0000L + 0x1000L * i);
            unrecoverable(host.nic2, 0x30_0000L + 0x1000L * i);
        }

        List<GuestEvent> vm1 = host.vm1.poll(100);
        assertThat(vm1).hasSize(10).allMatch(PageRequestEvent.class::isInstance);
        assertThat(vm1).extracting(e -> ((PageRequestEvent) e).requests().get(0).address())
                .allMatch(a -> a >= 0x10_0000L && a < 0x20_0000L);
        List<GuestEvent> vm2 = host.vm2.poll(100);
        assertThat(vm2).hasSize(20);
        assertThat(vm2.stream().filter(UnrecoverableEvent.class::isInstance)).hasSize(10);
        assertThat(host.vm1.statistics().routed()).isEqualTo(10);
        assertThat(host.vm2.statistics().routed()).isEqualTo(20);
    }

    @Test
    void theHostNeverPrintsAGuestsFaultEvenWhenTheGuestIsGoneAndNobodyHandlesIt() throws InterruptedException {
        host.vm2.close();
        for (int i = 0; i < 20; i++) {
            pageRequest(host.nic2, Pasid.NONE, i, 0x1000L * i);
            unrecoverable(host.nic2, 0x1000L * i);
        }
        // the page request groups wait for a vIOMMU to replace the closed one (the core's hand-over window)
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (host.answers.of(NIC2).size() < 20 && System.nanoTime() - deadline < 0) {
            Thread.sleep(10);
        }

        assertThat(host.hostLog).noneMatch(line -> line.contains(NIC2.toString()));
        assertThat(host.answers.of(NIC2)).as("each group still answered, INVALID").hasSize(20);
        assertThat(host.core.statistics().totals().noHandler()).as("the unrecoverable faults").isEqualTo(20);
        assertThat(host.core.statistics().totals().timedOut()).as("the groups no replacement came for")
                .isEqualTo(20);
        assertThat(host.answers.of(NIC1)).isEmpty();
    }
}
