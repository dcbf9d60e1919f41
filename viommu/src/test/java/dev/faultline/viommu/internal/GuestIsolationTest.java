package dev.faultline.viommu.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.testkit.group.RecordingFaultGroup;
import dev.faultline.viommu.AnswerOutcome;
import dev.faultline.viommu.GuestEvent;
import dev.faultline.viommu.GuestLimits;
import dev.faultline.viommu.GuestStatistics;
import dev.faultline.viommu.LostEvents;
import dev.faultline.viommu.PageRequestEvent;
import dev.faultline.viommu.UnrecoverableEvent;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * One guest flooding, another faulting now and then: the bound the README states, checked by counting (which
 * step delivers what), never by timing.
 */
class GuestIsolationTest {
    private static final DeviceId FLOODER = DeviceId.parse("0000:01:00.0");
    private static final DeviceId QUIET = DeviceId.parse("0000:02:00.0");
    private static final int FLOOD = 50_000;

    private final AtomicLong clock = new AtomicLong();
    private final HandBuiltTables ram = new HandBuiltTables();

    private GuestViommu guest(String name, DeviceId device, GuestLimits limits) {
        GuestViommu g = new GuestViommu(name, Set.of(name), ram.guest, limits, clock::get, closed -> { });
        g.addDevice(device, 0x10);
        return g;
    }

    @Test
    void theQuietGuestsFaultIsInItsQueueWhenItsHandleCallReturnsWhateverTheFloodersBacklog() {
        GuestViommu flooder = guest("vm-a", FLOODER, new GuestLimits(4, 4, 1_000, 8, 0));
        GuestViommu quiet = guest("vm-b", QUIET, new GuestLimits(4, 4, 1_000, 8, 0));
        for (int i = 0; i < 4; i++) {
            flooder.handle(RecordingFaultGroup.pageRequest(FLOODER, Pasid.NONE, i, 0x1000, Permissions.READ));
        }
        ReusedFaultGroup flood = new ReusedFaultGroup(FLOODER);
        int quietFaults = 0;
        for (int i = 0; i < FLOOD; i++) {
            flooder.handle(flood.next(i % 2 == 0, 0x1000L * i));
            if (i % 5_000 == 4_999) {
                clock.addAndGet(1_000_000);          // one token for each guest
                RecordingFaultGroup group = RecordingFaultGroup.pageRequest(QUIET, Pasid.NONE, quietFaults, 0x5000,
                        Permissions.WRITE);
                quiet.handle(group);
                List<GuestEvent> got = quiet.poll(8);
                assertThat(got).as("delivered in the same step as fault %d of the flood", i).hasSize(1);
                PageRequestEvent event = (PageRequestEvent) got.get(0);
                assertThat(event.sequence()).isEqualTo(quietFaults);
                assertThat(event.last().address()).isEqualTo(0x5000);
                assertThat(quiet.respond(event.cookie(), 0)).isEqualTo(AnswerOutcome.ACCEPTED);
                assertThat(group.answer().orElse(null)).isEqualTo(ResponseCode.SUCCESS);
                quietFaults++;
            }
        }
        GuestStatistics q = quiet.statistics();
        assertThat(q.lost()).isZero();
        assertThat(q.accepted()).isEqualTo(quietFaults).isEqualTo(FLOOD / 5_000);

        GuestStatistics a = flooder.statistics();
        assertThat(a.routed()).isEqualTo(FLOOD + 4);
        assertThat(a.delivered()).as("the queue depth").isEqualTo(4);
        assertThat(a.lost()).isEqualTo(FLOOD);
        assertThat(flood.invalidAnswers).as("every dropped group answered INVALID at once").isEqualTo(FLOOD / 2);
        List<GuestEvent> backlog = flooder.poll(100);
        assertThat(backlog).hasSize(5);
        assertThat(backlog.get(4)).isEqualTo(new LostEvents(4, FLOOD));
    }

    @Test
    void theDropPathAllocatesNothing() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        GuestViommu rateLimited = guest("vm-a", FLOODER, new GuestLimits(1024, 1024, 1, 1, 0));
        GuestViommu queueFull = guest("vm-b", QUIET, new GuestLimits(1, 1024, 0, 1, 0));
        ReusedFaultGroup a = new ReusedFaultGroup(FLOODER);
        ReusedFaultGroup b = new ReusedFaultGroup(QUIET);
        rateLimited.handle(RecordingFaultGroup.unrecoverable(FLOODER, Pasid.NONE, 0, Permissions.READ,
                HardwareRecord.NONE));
        queueFull.handle(RecordingFaultGroup.unrecoverable(QUIET, Pasid.NONE, 0, Permissions.READ,
                HardwareRecord.NONE));
        flood(rateLimited, a, queueFull, b);                 // warm up, open the lost markers

        long thread = Thread.currentThread().getId();
        long before = mx.getThreadAllocatedBytes(thread);
        flood(rateLimited, a, queueFull, b);
        long allocated = mx.getThreadAllocatedBytes(thread) - before;

        assertThat(allocated).as("bytes allocated for %d dropped faults", 4 * FLOOD).isLessThan(4 * FLOOD / 8);
        assertThat(rateLimited.statistics().rateLimited()).isEqualTo(4L * FLOOD);
        assertThat(queueFull.statistics().queueFull()).isEqualTo(4L * FLOOD);
        assertThat(a.invalidAnswers + b.invalidAnswers).isEqualTo(4L * FLOOD);
        assertThat(rateLimited.poll(10).get(1)).isEqualTo(new LostEvents(1, 4L * FLOOD));
        assertThat(queueFull.poll(10).get(0)).isInstanceOf(UnrecoverableEvent.class);
    }

    private static void flood(GuestViommu first, ReusedFaultGroup a, GuestViommu second, ReusedFaultGroup b) {
        for (int i = 0; i < FLOOD; i++) {
            first.handle(a.next(true, i));
            first.handle(a.next(false, i));
            second.handle(b.next(true, i));
            second.handle(b.next(false, i));
        }
    }
}
