package dev.faultline.viommu.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.testkit.group.RecordingFaultGroup;
import dev.faultline.viommu.AnswerOutcome;
import dev.faultline.viommu.GuestEvent;
import dev.faultline.viommu.GuestLimits;
import dev.faultline.viommu.GuestStatistics;
import dev.faultline.viommu.PageRequestEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Coverage-guided fuzzing (Jazzer) of what a guest controls: its answers (any cookie, any code, at any time), how
 * much and when it reads its queue, and the host's interleaved deliveries, deadlines, detaches and the guest's
 * departure. Whatever the sequence, no call throws, every page request group delivered is answered by the end and
 * whoever answered it first (the core's deadline, the guest, or the vIOMMU on the guest's behalf) is counted once,
 * the guest's counters balance
 * ({@code routed = delivered + lost + droppedUnknownDevice + droppedClosed}), and every answer the guest sent is
 * counted by its outcome.
 *
 * <p>A normal build runs the committed corpus ({@code GuestInputFuzzTestInputs}); {@code JAZZER_FUZZ=1} fuzzes
 * for {@code maxDuration}.
 */
class GuestInputFuzzTest {
    private static final DeviceId NIC = DeviceId.parse("0000:01:00.0");
    private static final DeviceId GPU = DeviceId.parse("0000:01:00.1");
    private static final DeviceId STRANGER = DeviceId.parse("0000:09:00.0");
    private static final List<DeviceId> DEVICES = List.of(NIC, GPU, STRANGER);
    private static final int MAX_OPERATIONS = 200;

    @FuzzTest(maxDuration = "10s")
    void anyGuestBehaviourLeavesEveryGroupAnsweredOnceAndTheCountersBalanced(FuzzedDataProvider data) {
        AtomicLong clock = new AtomicLong();
        GuestLimits limits = new GuestLimits(data.consumeInt(1, 8), data.consumeInt(1, 8), data.consumeInt(0, 50),
                data.consumeInt(1, 8), 0);
        GuestViommu guest = new GuestViommu("vm1", Set.of("vm1-nested"), new HandBuiltTables().guest, limits,
                clock::get, vm -> { });
        guest.addDevice(NIC, 0x81);
        guest.addDevice(GPU, 0x82);
        List<RecordingFaultGroup> groups = new ArrayList<>();
        List<Integer> readCookies = new ArrayList<>();
        long answersSent = 0;
        long hostAnsweredFirst = 0;
        int operations = data.consumeInt(0, MAX_OPERATIONS);
        for (int i = 0; i < operations && data.remainingBytes() > 0; i++) {
            clock.addAndGet(data.consumeLong(0, 100_000_000L));
            switch (data.consumeInt(0, 7)) {
                case 0 -> {
                    DeviceId device = data.pickValue(DEVICES);
                    int pasid = data.consumeBoolean() ? Pasid.NONE : data.consumeInt(1, 0xfffff);
                    int groupId = data.consumeInt(0, 0x1ff);
                    RecordingFaultGroup g = RecordingFaultGroup.pageRequests(new PageRequest(device, pasid, groupId,
                            true, data.consumeLong(0, 1L << 48) & ~0xfffL, Permissions.READ_WRITE, 0, 0, false));
                    groups.add(g);
                    guest.handle(g);
                }
                case 1 -> guest.handle(RecordingFaultGroup.unrecoverable(data.pickValue(DEVICES), Pasid.NONE,
                        data.consumeLong(), Permissions.WRITE, HardwareRecord.NONE));
                case 2 -> {
                    for (GuestEvent e : guest.poll(data.consumeInt(1, 16))) {
                        if (e instanceof PageRequestEvent p) {
                            readCookies.add(p.cookie());
                        }
                    }
                }
                case 3 -> {
                    int cookie = readCookies.isEmpty() || data.consumeBoolean() ? data.consumeInt()
                            : readCookies.get(data.consumeInt(0, readCookies.size() - 1));
                    AnswerOutcome outcome = guest.respond(cookie, data.consumeInt());
                    if (outcome != AnswerOutcome.GUEST_CLOSED) {
                        answersSent++;
                    }
                }
                case 4 -> guest.removeDevice(data.pickValue(DEVICES));
                case 5 -> {
                    if (!groups.isEmpty()) {
                        if (groups.get(data.consumeInt(0, groups.size() - 1)).expire()) { // the core's deadline
                            hostAnsweredFirst++;
                        }
                    }
                }
                case 6 -> {
                    try {
                        guest.addDevice(data.pickValue(List.of(NIC, GPU)), data.consumeInt(0x81, 0x84));
                    } catch (IllegalArgumentException | IllegalStateException refused) {
                        // the documented clear errors: device or virtual id in use, guest closed
                    }
                }
                default -> guest.close();
            }
        }
        guest.close();

        for (RecordingFaultGroup g : groups) {
            assertThat(g.answered()).as("every group answered by the end").isTrue();
        }
        GuestStatistics s = guest.statistics();
        // whoever answered each group first is counted once: the core's deadline, the guest, or the vIOMMU for it
        assertThat(hostAnsweredFirst + s.accepted() + s.answeredForGuest()).isEqualTo(groups.size());
        assertThat(s.routed()).isEqualTo(s.delivered() + s.lost() + s.droppedUnknownDevice() + s.droppedClosed());
        assertThat(s.accepted() + s.invalidCode() + s.forged() + s.replayed() + s.late()).isEqualTo(answersSent);
        assertThat(s.pending()).isZero();
    }
}
