package dev.faultline.viommu.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.platform.smmuv3.EventRecord;
import dev.faultline.platform.vtd.FaultRecord;
import dev.faultline.testkit.group.RecordingFaultGroup;
import dev.faultline.viommu.AnswerOutcome;
import dev.faultline.viommu.ArmStage1Context;
import dev.faultline.viommu.ArmStage1Fault;
import dev.faultline.viommu.FirstLevelContext;
import dev.faultline.viommu.FirstLevelFault;
import dev.faultline.viommu.GuestEvent;
import dev.faultline.viommu.GuestLimits;
import dev.faultline.viommu.GuestStatistics;
import dev.faultline.viommu.LostEvents;
import dev.faultline.viommu.PageRequestEvent;
import dev.faultline.viommu.UnrecoverableEvent;
import dev.faultline.viommu.UnresolvedFault;
import dev.faultline.viommu.VirtioIommuFault;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class GuestViommuTest {
    private static final DeviceId NIC = DeviceId.parse("0000:01:00.0");
    private static final DeviceId GPU = DeviceId.parse("0000:01:00.1");
    private static final int VNIC = 0x81;
    private static final int VGPU = 0x82;
    /** No rate limit, room for 16 events and 16 groups. */
    private static final GuestLimits ROOMY = new GuestLimits(16, 16, 0, 1, 0);

    private final AtomicLong clock = new AtomicLong();
    private final HandBuiltTables ram = new HandBuiltTables();
    private final List<GuestViommu> closedGuests = new ArrayList<>();

    private GuestViommu guest(String name, GuestLimits limits) {
        GuestViommu g = new GuestViommu(name, Set.of(name + "-nested"), ram.guest, limits, clock::get,
                closedGuests::add);
        return g;
    }

    private GuestViommu guestWithNic(GuestLimits limits) {
        GuestViommu g = guest("vm1", limits);
        g.addDevice(NIC, VNIC);
        return g;
    }

    private static RecordingFaultGroup request(DeviceId device, int groupId) {
        return RecordingFaultGroup.pageRequest(device, Pasid.NONE, groupId, 0x7000_0000L + groupId * 0x1000L,
                Permissions.READ_WRITE);
    }

    private static RecordingFaultGroup fault(DeviceId device, long address) {
        return RecordingFaultGroup.unrecoverable(device, Pasid.NONE, address, Permissions.WRITE, HardwareRecord.NONE);
    }

    private static int cookieOf(GuestEvent event) {
        return ((PageRequestEvent) event).cookie();
    }

    // ---- recoverable groups: delivery and answers -------------------------------------------------------

    @Test
    void defersAPageRequestGroupAndQueuesItUnderCookieOneForTheVirtualDevice() {
        GuestViommu vm = guestWithNic(ROOMY);
        RecordingFaultGroup group = RecordingFaultGroup.pageRequests(
                new PageRequest(NIC, 5, 9, false, 0x1000, Permissions.READ, 0, 0, false),
                new PageRequest(NIC, 5, 9, true, 0x2000, Permissions.WRITE, 0, 0, true));
        vm.handle(group);

        assertThat(group.deferred()).isTrue();
        assertThat(group.answered()).isFalse();
        List<GuestEvent> events = vm.poll(10);
        assertThat(events).hasSize(1);
        PageRequestEvent event = (PageRequestEvent) events.get(0);
        assertThat(event.sequence()).isZero();
        assertThat(event.cookie()).isEqualTo(1);
        assertThat(event.virtualDevice()).isEqualTo(VNIC);
        assertThat(event.requests()).containsExactly(
                new PageRequestEvent.Request(5, 9, false, Permissions.READ, 0x1000),
                new PageRequestEvent.Request(5, 9, true, Permissions.WRITE, 0x2000));
    }

    @Test
    void sendsTheGuestsAnswerToTheDeviceExactlyOnce() {
        GuestViommu vm = guestWithNic(ROOMY);
        RecordingFaultGroup group = request(NIC, 1);
        vm.handle(group);
        int cookie = cookieOf(vm.poll(1).get(0));

        assertThat(vm.respond(cookie, 0)).isEqualTo(AnswerOutcome.ACCEPTED);
        assertThat(vm.respond(cookie, 0)).isEqualTo(AnswerOutcome.REPLAYED);
        assertThat(vm.respond(cookie, 1)).isEqualTo(AnswerOutcome.REPLAYED);
        assertThat(group.answers()).containsExactly(ResponseCode.SUCCESS);
        GuestStatistics stats = vm.statistics();
        assertThat(stats.accepted()).isEqualTo(1);
        assertThat(stats.replayed()).isEqualTo(2);
        assertThat(stats.pending()).isZero();
    }

    @Test
    void rejectsCodesOtherThanSuccessAndInvalidAndKeepsTheGroupPending() {
        GuestViommu vm = guestWithNic(ROOMY);
        RecordingFaultGroup group = request(NIC, 1);
        vm.handle(group);
        int cookie = cookieOf(vm.poll(1).get(0));

        assertThat(vm.respond(cookie, ResponseCode.FAILURE.value())).isEqualTo(AnswerOutcome.INVALID_CODE);
        assertThat(vm.respond(cookie, -1)).isEqualTo(AnswerOutcome.INVALID_CODE);
        assertThat(vm.respond(cookie, 0xf)).isEqualTo(AnswerOutcome.INVALID_CODE);
        assertThat(group.answered()).isFalse();
        assertThat(vm.respond(cookie, ResponseCode.INVALID.value())).isEqualTo(AnswerOutcome.ACCEPTED);
        assertThat(group.answers()).containsExactly(ResponseCode.INVALID);
        assertThat(vm.statistics().invalidCode()).isEqualTo(3);
    }

    @Test
    void rejectsCookiesNeverIssuedAndCookiesOfGroupsTheGuestHasNotRead() {
        GuestViommu vm = guestWithNic(ROOMY);
        RecordingFaultGroup group = request(NIC, 1);
        vm.handle(group);

        assertThat(vm.respond(1, 0)).as("issued but not read yet").isEqualTo(AnswerOutcome.FORGED);
        assertThat(vm.respond(0, 0)).isEqualTo(AnswerOutcome.FORGED);
        assertThat(vm.respond(2, 0)).isEqualTo(AnswerOutcome.FORGED);
        assertThat(vm.respond(-7, 0)).isEqualTo(AnswerOutcome.FORGED);
        assertThat(group.answered()).isFalse();
        vm.poll(1);
        assertThat(vm.respond(1, 0)).isEqualTo(AnswerOutcome.ACCEPTED);
        assertThat(vm.statistics().forged()).isEqualTo(4);
    }

    @Test
    void rejectsAnAnswerThatComesAfterTheCoreAnsweredAtTheDeadline() {
        GuestViommu vm = guestWithNic(ROOMY);
        RecordingFaultGroup group = request(NIC, 1);
        vm.handle(group);
        int cookie = cookieOf(vm.poll(1).get(0));
        group.expire();

        assertThat(vm.respond(cookie, 0)).isEqualTo(AnswerOutcome.LATE);
        assertThat(vm.respond(cookie, 0)).isEqualTo(AnswerOutcome.REPLAYED);
        assertThat(group.answers()).as("only the core's INVALID; the late answer never reaches the group")
                .containsExactly(ResponseCode.INVALID);
        assertThat(vm.statistics().late()).isEqualTo(1);
    }

    @Test
    void onlyTheGuestThatReceivedAGroupCanAnswerIt() {
        GuestViommu a = guestWithNic(ROOMY);
        GuestViommu b = guest("vm2", ROOMY);
        b.addDevice(GPU, VGPU);
        RecordingFaultGroup groupOfA = request(NIC, 1);
        a.handle(groupOfA);
        int cookie = cookieOf(a.poll(1).get(0));

        assertThat(b.respond(cookie, 0)).isEqualTo(AnswerOutcome.FORGED);
        assertThat(groupOfA.answered()).isFalse();
        RecordingFaultGroup groupOfB = request(GPU, 1);
        b.handle(groupOfB);
        int cookieOfB = cookieOf(b.poll(1).get(0));
        assertThat(cookieOfB).as("cookies are per guest").isEqualTo(cookie);
        assertThat(b.respond(cookieOfB, 1)).isEqualTo(AnswerOutcome.ACCEPTED);
        assertThat(groupOfA.answered()).isFalse();
        assertThat(groupOfB.answer().orElse(null)).isEqualTo(ResponseCode.INVALID);
        assertThat(a.respond(cookie, 0)).isEqualTo(AnswerOutcome.ACCEPTED);
        assertThat(groupOfA.answer().orElse(null)).isEqualTo(ResponseCode.SUCCESS);
    }

    // ---- departure --------------------------------------------------------------------------------------

    @Test
    void detachingADeviceAnswersInvalidEveryGroupOfItTheGuestHolds() {
        GuestViommu vm = guestWithNic(ROOMY);
        vm.addDevice(GPU, VGPU);
        RecordingFaultGroup read = request(NIC, 1);
        RecordingFaultGroup gpu = request(GPU, 2);
        RecordingFaultGroup unread = request(NIC, 3);
        vm.handle(read);
        vm.handle(gpu);
        vm.poll(2);
        vm.handle(unread);

        assertThat(vm.removeDevice(NIC)).isEqualTo(2);
        assertThat(read.answers()).containsExactly(ResponseCode.INVALID);
        assertThat(unread.answers()).containsExactly(ResponseCode.INVALID);
        assertThat(gpu.answered()).isFalse();
        assertThat(vm.respond(1, 0)).isEqualTo(AnswerOutcome.LATE);
        assertThat(vm.respond(3, 0)).as("not read yet").isEqualTo(AnswerOutcome.FORGED);
        assertThat(vm.poll(5)).hasSize(1);
        assertThat(vm.respond(3, 0)).isEqualTo(AnswerOutcome.LATE);
        assertThat(vm.respond(2, 0)).isEqualTo(AnswerOutcome.ACCEPTED);

        RecordingFaultGroup after = request(NIC, 4);
        vm.handle(after);
        assertThat(after.answers()).containsExactly(ResponseCode.INVALID);
        assertThat(vm.statistics().droppedUnknownDevice()).isEqualTo(1);
        assertThat(vm.statistics().answeredForGuest()).isEqualTo(3);
        assertThat(vm.removeDevice(NIC)).isZero();
    }

    @Test
    void aGuestGoingAwayAnswersInvalidEveryGroupItHeldAtOnce() {
        GuestViommu vm = guestWithNic(ROOMY);
        List<RecordingFaultGroup> groups = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            RecordingFaultGroup g = request(NIC, i);
            groups.add(g);
            vm.handle(g);
        }
        vm.poll(2);
        int answeredByGuest = cookieOf(vm.poll(1).get(0));
        vm.respond(answeredByGuest, 0);

        vm.close();
        assertThat(groups).allSatisfy(g -> assertThat(g.answers()).hasSize(1));
        assertThat(groups).filteredOn(g -> g.answer().orElse(null) == ResponseCode.INVALID).hasSize(4);
        assertThat(closedGuests).containsExactly(vm);
        assertThat(vm.closed()).isTrue();
        GuestStatistics stats = vm.statistics();
        assertThat(stats.answeredForGuest()).isEqualTo(4);
        assertThat(stats.queued()).isZero();
        assertThat(stats.pending()).isZero();

        assertThat(vm.respond(1, 0)).isEqualTo(AnswerOutcome.GUEST_CLOSED);
        RecordingFaultGroup late = request(NIC, 9);
        vm.handle(late);
        assertThat(late.answers()).containsExactly(ResponseCode.INVALID);
        assertThat(vm.statistics().droppedClosed()).isEqualTo(1);
        vm.close();
        assertThat(closedGuests).hasSize(1);
        assertThatThrownBy(() -> vm.addDevice(GPU, 2)).isInstanceOf(IllegalStateException.class);
    }

    // ---- bounds -----------------------------------------------------------------------------------------

    @Test
    void aFullQueueAnswersInvalidAtOnceAndCountsEachLossInOneMarker() {
        GuestViommu vm = guestWithNic(ROOMY.withEventQueueDepth(2));
        List<RecordingFaultGroup> groups = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            RecordingFaultGroup g = request(NIC, i);
            groups.add(g);
            vm.handle(g);
        }
        vm.handle(fault(NIC, 0x1000));

        assertThat(groups.subList(2, 5)).allSatisfy(g -> assertThat(g.answers()).containsExactly(ResponseCode.INVALID));
        assertThat(groups.subList(0, 2)).allSatisfy(g -> assertThat(g.answered()).isFalse());
        List<GuestEvent> events = vm.poll(10);
        assertThat(events).extracting(GuestEvent::sequence).containsExactly(0, 1, 2);
        assertThat(events.get(2)).isEqualTo(new LostEvents(2, 4));
        GuestStatistics stats = vm.statistics();
        assertThat(stats.lost()).isEqualTo(4);
        assertThat(stats.queueFull()).isEqualTo(4);
        assertThat(stats.answeredForGuest()).isEqualTo(3);
        assertThat(stats.routed()).isEqualTo(stats.delivered() + stats.lost());
    }

    @Test
    void faultsOverTheRateAreLostAndCountedUntilTheBucketRefills() {
        GuestViommu vm = guestWithNic(ROOMY.withRate(10, 3));
        for (int i = 0; i < 10; i++) {
            vm.handle(fault(NIC, 0x1000L * i));
        }
        clock.addAndGet(100_000_000);
        vm.handle(fault(NIC, 0xa000));

        List<GuestEvent> events = vm.poll(20);
        assertThat(events).hasSize(5);
        assertThat(events.get(3)).isEqualTo(new LostEvents(3, 7));
        assertThat(((UnrecoverableEvent) events.get(4)).address()).isEqualTo(0xa000);
        assertThat(vm.statistics().rateLimited()).isEqualTo(7);
    }

    @Test
    void groupsBeyondTheUnansweredBoundAreAnsweredInvalidUntilTheGuestAnswersOne() {
        GuestViommu vm = guestWithNic(ROOMY.withMaxPendingGroups(2));
        RecordingFaultGroup first = request(NIC, 1);
        vm.handle(first);
        vm.handle(request(NIC, 2));
        RecordingFaultGroup third = request(NIC, 3);
        vm.handle(third);
        assertThat(third.answers()).containsExactly(ResponseCode.INVALID);
        assertThat(vm.statistics().pendingFull()).isEqualTo(1);

        vm.poll(10);
        vm.respond(1, 0);
        RecordingFaultGroup fourth = request(NIC, 4);
        vm.handle(fourth);
        assertThat(fourth.answered()).isFalse();
        assertThat(vm.poll(10)).extracting(e -> e instanceof PageRequestEvent p ? p.cookie() : -1).containsExactly(3);
    }

    @Test
    void groupsTheHostAnsweredMakeRoomWhenTheTableIsFull() {
        GuestViommu vm = guestWithNic(ROOMY.withMaxPendingGroups(1));
        RecordingFaultGroup first = request(NIC, 1);
        vm.handle(first);
        first.expire();
        RecordingFaultGroup second = request(NIC, 2);
        vm.handle(second);
        assertThat(second.answered()).isFalse();
        vm.poll(10);
        assertThat(vm.respond(1, 0)).as("retired to make room").isEqualTo(AnswerOutcome.REPLAYED);
        assertThat(vm.respond(2, 0)).isEqualTo(AnswerOutcome.ACCEPTED);
    }

    @Test
    void faultsOfADeviceTheGuestDoesNotKnowAreAnsweredAndCountedButNotMarkedLost() {
        GuestViommu vm = guest("vm1", ROOMY);
        RecordingFaultGroup group = request(NIC, 1);
        vm.handle(group);
        vm.handle(fault(NIC, 0x1000));
        assertThat(group.answers()).containsExactly(ResponseCode.INVALID);
        assertThat(vm.poll(10)).isEmpty();
        assertThat(vm.statistics().droppedUnknownDevice()).isEqualTo(2);
        assertThat(vm.statistics().lost()).isZero();
    }

    // ---- unrecoverable faults ---------------------------------------------------------------------------

    @Test
    void derivesTheReasonFromTheGuestsArmTableAndMakesTheVirtualEventRecord() {
        GuestViommu vm = guestWithNic(ROOMY);
        long root = ram.table();
        long va = 0x0000_7f00_0040_2000L;
        ram.write(ram.chain(root, va, 39, 12, 0x3), 0x0000000812345fc7L);   // AP 11: read-only everywhere
        vm.setStage1(VNIC, 3, ArmStage1Context.linux(root));

        vm.handle(RecordingFaultGroup.unrecoverable(NIC, 3, va, Permissions.WRITE, HardwareRecord.NONE));
        UnrecoverableEvent event = (UnrecoverableEvent) vm.poll(1).get(0);
        assertThat(event.reason()).isEqualTo(ArmStage1Fault.PERMISSION);
        assertThat(event.virtualDevice()).isEqualTo(VNIC);
        assertThat(event.pasid()).isEqualTo(3);
        EventRecord record = EventRecord.decode(event.virtualRecord().words());
        assertThat(record.id()).isEqualTo(0x13);
        assertThat(record.sid()).isEqualTo(VNIC);
        assertThat(record.ssid()).isEqualTo(3);
        assertThat(record.read()).isFalse();
        assertThat(event.virtioFault().linuxMessage()).isEqualTo("page fault from EP 129 at 0x7f0000402000 [W]");
    }

    @Test
    void byDefaultBuildsTheRecordFromPermissionsAndItsOwnWalkAndCountsAWalkThatNowSucceeds() {
        GuestViommu vm = guestWithNic(ROOMY);
        long root = ram.table();
        long va = 0x4000_0000L;
        ram.write(ram.chain(root, va, 39, 12, 0x3), 0x0000000812345f47L);
        vm.setStage1(VNIC, 4, ArmStage1Context.linux(root));
        long[] host = {0x13 | (0x4242L << 32) | (1L << 11) | (4L << 12), -1L, 0x1234_5678_9abcL, -1L};

        vm.handle(RecordingFaultGroup.unrecoverable(NIC, 4, va, Permissions.WRITE,
                HardwareRecord.of("smmuv3-event", host)));
        UnrecoverableEvent event = (UnrecoverableEvent) vm.poll(1).get(0);
        assertThat(event.reason()).as("the guest fixed its table since").isEqualTo(UnresolvedFault.WALK_SUCCEEDS);
        long[] expected = new EventRecord(0x10, true, 4, VNIC, 0, false, false, false, false, false,
                EventRecord.CLASS_IN, false, va, 0).encode();
        assertThat(event.virtualRecord().words()).as("made from permissions, address and PASID only")
                .containsExactly(expected);
        assertThat(vm.statistics().staleWalks()).isEqualTo(1);
        assertThat(vm.statistics().reasonDisagreements()).isEqualTo(1);
    }

    @Test
    void inRawModeForwardsTheHostRecordUnderTheVirtualStreamIdAndCountsAReasonItsTablesDoNotGive() {
        GuestViommu vm = guestWithNic(ROOMY.withRawRecords(true));
        long root = ram.table();
        long va = 0x4000_0000L;
        ram.write(ram.chain(root, va, 39, 12, 0x3), 0x0000000812345f47L);
        vm.setStage1(VNIC, Pasid.NONE, ArmStage1Context.linux(root));
        long[] host = new EventRecord(0x10, false, 0, 0x4242, 0, false, false, false, true, false,
                EventRecord.CLASS_IN, false, va, 0).encode();

        vm.handle(RecordingFaultGroup.unrecoverable(NIC, Pasid.NONE, va, Permissions.READ,
                HardwareRecord.of("smmuv3-event", host)));
        UnrecoverableEvent event = (UnrecoverableEvent) vm.poll(1).get(0);
        assertThat(event.reason()).as("the guest fixed its table since").isEqualTo(UnresolvedFault.WALK_SUCCEEDS);
        assertThat(EventRecord.decode(event.virtualRecord().words()).withSid(0x4242).encode()).containsExactly(host);
        assertThat(event.virtioFault().reason()).isEqualTo(VirtioIommuFault.REASON_UNKNOWN);
        assertThat(vm.statistics().reasonDisagreements()).isEqualTo(1);
        assertThat(vm.statistics().staleWalks()).isEqualTo(1);
    }

    @Test
    void derivesTheReasonFromAFirstLevelTableAndMakesTheVirtualFaultRecord() {
        GuestViommu vm = guestWithNic(ROOMY);
        long root = ram.table();
        long va = 0x0000_7f12_3456_7000L;
        ram.write(ram.chain(root, va, 39, 21, 0x7), 0);
        vm.setStage1(VNIC, 1, FirstLevelContext.user(root));
        HardwareRecord host = HardwareRecord.of("vtd-frcd", va, 0xc000017180000100L);

        vm.handle(RecordingFaultGroup.unrecoverable(NIC, 1, va, Permissions.READ, host));
        UnrecoverableEvent event = (UnrecoverableEvent) vm.poll(1).get(0);
        assertThat(event.reason()).isEqualTo(FirstLevelFault.NOT_PRESENT);
        FaultRecord record = FaultRecord.decode(event.virtualRecord().word(0), event.virtualRecord().word(1));
        assertThat(record.sourceId()).isEqualTo(VNIC);
        assertThat(record.reasonCode()).isEqualTo(0x71);
        assertThat(vm.statistics().reasonDisagreements()).isZero();
    }

    @Test
    void aFaultWithoutStage1ContextOrAddressIsDeliveredWithAnUnresolvedReason() {
        GuestViommu vm = guestWithNic(ROOMY);
        vm.handle(fault(NIC, 0x1000));
        vm.handle(RecordingFaultGroup.unrecoverable(new dev.faultline.api.fault.UnrecoverableFault(NIC, 0,
                Pasid.NONE, Permissions.READ, 0, 0, HardwareRecord.NONE)));
        vm.setStage1(VNIC, Pasid.NONE, ArmStage1Context.linux(ram.table()));
        vm.handle(RecordingFaultGroup.unrecoverable(new dev.faultline.api.fault.UnrecoverableFault(NIC, 0,
                Pasid.NONE, Permissions.READ, 0, 0, HardwareRecord.NONE)));
        vm.clearStage1(VNIC, Pasid.NONE);
        vm.handle(fault(NIC, 0x2000));

        assertThat(vm.poll(10)).extracting(e -> ((UnrecoverableEvent) e).reason()).containsExactly(
                UnresolvedFault.NO_STAGE1_CONTEXT, UnresolvedFault.NO_STAGE1_CONTEXT, UnresolvedFault.NO_ADDRESS,
                UnresolvedFault.NO_STAGE1_CONTEXT);
    }

    // ---- the VMM waiting for events ---------------------------------------------------------------------

    /** Starts a VMM thread in a one-minute {@code poll} and returns once it waits. */
    private static CompletableFuture<List<GuestEvent>> waitingVmm(GuestViommu vm) throws InterruptedException {
        CompletableFuture<List<GuestEvent>> result = new CompletableFuture<>();
        Thread vmm = new Thread(() -> {
            try {
                result.complete(vm.poll(8, 1, TimeUnit.MINUTES));
            } catch (InterruptedException e) {
                result.completeExceptionally(e);
            }
        }, "vmm");
        vmm.start();
        while (vmm.getState() != Thread.State.TIMED_WAITING) {
            assertThat(result).as("the VMM returned without waiting").isNotDone();
            Thread.sleep(1);
        }
        return result;
    }

    @Test
    void aVmmWaitingInPollIsWokenByTheFaultThatQueuesAnEventLongBeforeItsTimeout() throws Exception {
        GuestViommu vm = guestWithNic(ROOMY);
        CompletableFuture<List<GuestEvent>> waiting = waitingVmm(vm);
        assertThat(waiting).isNotDone();

        vm.handle(fault(NIC, 0x1000));
        List<GuestEvent> events = waiting.get(30, TimeUnit.SECONDS);
        assertThat(events).singleElement().isInstanceOf(UnrecoverableEvent.class);
    }

    @Test
    void aLostEventsMarkerAndTheGuestClosingWakeTheVmmToo() throws Exception {
        GuestViommu vm = guestWithNic(new GuestLimits(4, 4, 1, 1, 0));   // one token, never refilled
        vm.handle(fault(NIC, 0x1000));
        assertThat(vm.poll(1)).hasSize(1);
        CompletableFuture<List<GuestEvent>> marker = waitingVmm(vm);
        vm.handle(fault(NIC, 0x2000));                                         // over the rate: lost
        assertThat(marker.get(30, TimeUnit.SECONDS)).singleElement().isInstanceOf(LostEvents.class);

        CompletableFuture<List<GuestEvent>> closing = waitingVmm(vm);
        vm.close();
        assertThat(closing.get(30, TimeUnit.SECONDS)).isEmpty();
    }

    @Test
    void aTimedPollWithNothingQueuedReturnsEmptyAndRefusesBadArguments() throws InterruptedException {
        GuestViommu vm = guestWithNic(ROOMY);
        assertThat(vm.poll(4, 0, TimeUnit.MILLISECONDS)).isEmpty();
        assertThat(vm.poll(4, 2, TimeUnit.MILLISECONDS)).isEmpty();
        assertThatThrownBy(() -> vm.poll(0, 1, TimeUnit.SECONDS)).hasMessageContaining("positive");
        assertThatThrownBy(() -> vm.poll(1, -1, TimeUnit.SECONDS)).hasMessageContaining("timeout");
    }

    // ---- configuration ----------------------------------------------------------------------------------

    @Test
    void refusesDuplicateDevicesUnknownVirtualIdsAndVtdContextsForWideIds() {
        GuestViommu vm = guestWithNic(ROOMY);
        assertThatThrownBy(() -> vm.addDevice(NIC, 5)).hasMessageContaining("already a device");
        assertThatThrownBy(() -> vm.addDevice(GPU, VNIC)).hasMessageContaining("0x81 is already in use");
        assertThatThrownBy(() -> vm.setStage1(0x99, Pasid.NONE, FirstLevelContext.user(0)))
                .hasMessageContaining("no virtual device 0x99");
        vm.addDevice(GPU, 0x1_0000);
        assertThatThrownBy(() -> vm.setStage1(0x1_0000, Pasid.NONE, FirstLevelContext.user(0)))
                .hasMessageContaining("16-bit");
        assertThatThrownBy(() -> vm.setStage1(VNIC, 1 << 20, FirstLevelContext.user(0)))
                .hasMessageContaining("PASID");
        assertThatThrownBy(() -> vm.poll(0)).hasMessageContaining("positive");
    }
}
