package dev.faultline.viommu.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.testkit.group.RecordingFaultGroup;
import dev.faultline.testkit.property.Gen;
import dev.faultline.testkit.property.Gens;
import dev.faultline.testkit.property.Property;
import dev.faultline.viommu.AnswerOutcome;
import dev.faultline.viommu.GuestEvent;
import dev.faultline.viommu.GuestLimits;
import dev.faultline.viommu.GuestStatistics;
import dev.faultline.viommu.LostEvents;
import dev.faultline.viommu.PageRequestEvent;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Whatever a guest and the host do, in any order: every page request group is answered exactly once by the
 * time the guest is gone, only by a valid answer of the guest or by the host; every fault is either delivered
 * or counted in a lost-events marker; the guest reads consecutive sequence numbers; and every answer outcome
 * is counted.
 */
class GuestViommuPropertiesTest {
    private static final DeviceId DEVICE = DeviceId.parse("0000:03:00.0");
    private static final DeviceId STRANGER = DeviceId.parse("0000:04:00.0");

    enum Kind { PAGE_REQUEST, FAULT, STRANGER_FAULT, POLL, ANSWER, EXPIRE, TICK, DETACH }

    record Op(Kind kind, int a, int b) {
    }

    private static Gen<List<Op>> operations() {
        Gen<Kind> kind = Gens.enums(Kind.class);
        Gen<Integer> a = Gens.integers(0, 40);
        Gen<Integer> b = Gens.integers(-1, 3);
        Gen<Op> op = source -> new Op(kind.generate(source), a.generate(source), b.generate(source));
        return op.list(1, 300);
    }

    @Test
    void everyGroupIsAnsweredOnceAndEveryFaultIsDeliveredOrCountedLost() {
        Property.tries(300).check(s -> run(s.draw("ops", operations()), s.draw("depth", Gens.integers(1, 6)),
                s.draw("maxPending", Gens.integers(1, 6)), s.draw("rate", Gens.integers(0, 3))));
    }

    /** Plays {@code ops} against a guest with those limits, then checks what the guest and the host saw. */
    private static void run(List<Op> ops, int depth, int maxPending, int rate) {
        AtomicLong clock = new AtomicLong();
        HandBuiltTables ram = new HandBuiltTables();
        GuestViommu vm = new GuestViommu("vm", Set.of("vm"), ram.guest,
                new GuestLimits(depth, maxPending, rate * 1000L, 2, 0), clock::get, closed -> { });
        vm.addDevice(DEVICE, 0x30);
        List<RecordingFaultGroup> groups = new ArrayList<>();
        List<GuestEvent> read = new ArrayList<>();
        Map<AnswerOutcome, Long> outcomes = new EnumMap<>(AnswerOutcome.class);
        int maxCookieSeen = 0;
        boolean attached = true;

        for (Op op : ops) {
            switch (op.kind()) {
                case PAGE_REQUEST -> {
                    RecordingFaultGroup g = RecordingFaultGroup.pageRequest(DEVICE, Pasid.NONE, op.a(),
                            0x1000L * op.a(), Permissions.READ);
                    groups.add(g);
                    vm.handle(g);
                }
                case FAULT -> vm.handle(RecordingFaultGroup.unrecoverable(DEVICE, Pasid.NONE, 0x1000L * op.a(),
                        Permissions.WRITE, HardwareRecord.NONE));
                case STRANGER_FAULT -> {
                    RecordingFaultGroup g = RecordingFaultGroup.pageRequest(STRANGER, Pasid.NONE, op.a(), 0,
                            Permissions.READ);
                    groups.add(g);
                    vm.handle(g);
                }
                case POLL -> {
                    for (GuestEvent e : vm.poll(1 + op.a() % 4)) {
                        read.add(e);
                        if (e instanceof PageRequestEvent p) {
                            maxCookieSeen = Math.max(maxCookieSeen, p.cookie());
                        }
                    }
                }
                case ANSWER -> {
                    int cookie = op.a() % (maxCookieSeen + 3);
                    outcomes.merge(vm.respond(cookie, op.b()), 1L, Long::sum);
                }
                case EXPIRE -> {
                    // the core times out only groups that were deferred and are still unanswered
                    List<RecordingFaultGroup> waiting = groups.stream().filter(g -> g.deferred() && !g.answered())
                            .toList();
                    if (!waiting.isEmpty()) {
                        waiting.get(op.a() % waiting.size()).expire();
                    }
                }
                case TICK -> clock.addAndGet(op.a() * 100_000L);
                case DETACH -> {
                    if (attached) {
                        vm.removeDevice(DEVICE);
                    } else {
                        vm.addDevice(DEVICE, 0x30);
                    }
                    attached = !attached;
                }
                default -> throw new AssertionError(op);
            }
            assertThat(groups).allSatisfy(g -> assertThat(g.duplicates()).as("no group answered twice").isZero());
        }

        read.addAll(vm.poll(Integer.MAX_VALUE));
        GuestStatistics stats = vm.statistics();
        for (int i = 0; i < read.size(); i++) {
            assertThat(read.get(i).sequence()).as("sequence of entry %d", i).isEqualTo(i);
        }
        long markedLost = read.stream().filter(e -> e instanceof LostEvents).mapToLong(e -> ((LostEvents) e).count())
                .sum();
        assertThat(markedLost).isEqualTo(stats.lost());
        assertThat(read.stream().filter(e -> !(e instanceof LostEvents)).count()).isEqualTo(stats.delivered());
        assertThat(stats.routed()).isEqualTo(stats.delivered() + stats.lost() + stats.droppedUnknownDevice()
                + stats.droppedClosed());
        assertThat(stats.accepted()).isEqualTo(outcomes.getOrDefault(AnswerOutcome.ACCEPTED, 0L));
        assertThat(stats.rejectedAnswers()).isEqualTo(outcomes.getOrDefault(AnswerOutcome.INVALID_CODE, 0L)
                + outcomes.getOrDefault(AnswerOutcome.FORGED, 0L) + outcomes.getOrDefault(AnswerOutcome.REPLAYED, 0L)
                + outcomes.getOrDefault(AnswerOutcome.LATE, 0L));
        assertThat(stats.invalidCode()).isEqualTo(outcomes.getOrDefault(AnswerOutcome.INVALID_CODE, 0L));

        vm.close();
        assertThat(groups).allSatisfy(g -> {
            assertThat(g.answer().orElse(null)).as("answered by the time the guest is gone").isNotNull();
            assertThat(g.duplicates()).isZero();
        });
        long byGuest = groups.stream()
                .filter(g -> g.answers().size() == 1 && g.answer().orElse(null) == ResponseCode.SUCCESS).count();
        assertThat(byGuest).as("SUCCESS only ever comes from an accepted guest answer")
                .isLessThanOrEqualTo(stats.accepted());
    }
}
