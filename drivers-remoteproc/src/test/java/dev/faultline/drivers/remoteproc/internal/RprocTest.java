package dev.faultline.drivers.remoteproc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.fault.StreamId;
import dev.faultline.drivers.remoteproc.Coredump;
import dev.faultline.drivers.remoteproc.Crash;
import dev.faultline.drivers.remoteproc.CrashType;
import dev.faultline.drivers.remoteproc.FirmwareImage;
import dev.faultline.drivers.remoteproc.FirmwareSegment;
import dev.faultline.drivers.remoteproc.HeartbeatFirmware;
import dev.faultline.drivers.remoteproc.Opcode;
import dev.faultline.drivers.remoteproc.RprocState;
import dev.faultline.platform.arm.TranslationTable;
import dev.faultline.platform.dma.DmaDevice;
import dev.faultline.platform.memory.FrameAllocator;
import dev.faultline.platform.memory.PhysicalMemory;
import dev.faultline.testkit.clock.ManualClock;
import dev.faultline.testkit.group.RecordingFaultGroup;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RprocTest {
    private static final StreamId SID = new StreamId(0x21);
    private static final long UNMAPPED = 0x0040_0000L;

    private final PhysicalMemory memory = new PhysicalMemory();
    private final FrameAllocator frames = new FrameAllocator(memory, 0x8000_0000L, 1 << 20);
    private final StageOneMapping domain = new StageOneMapping(TranslationTable.stage1(frames, 48));
    private final WalkingIommu iommu = new WalkingIommu(SID, memory, domain.table());
    private final ManualExecutor recovery = new ManualExecutor();
    private final ManualClock clock = ManualClock.at(1_000_000_000L);
    private final RecordingLog log = new RecordingLog();
    private final Map<String, FirmwareImage> firmware = new HashMap<>();

    private Rproc rproc(String image, int maxRecoveries) {
        Rproc.Builder b = Rproc.builder("adsp").deviceName("remoteproc0").domain("adsp-domain")
                .memory(frames).mapping(domain)
                .dma(DmaDevice.of("adsp", SID.value(), iommu, memory), Duration.ofSeconds(1))
                .firmware(image, name -> Optional.ofNullable(firmware.get(name))).recoveryExecutor(recovery)
                .clock(clock).crashLoopPolicy(maxRecoveries, Duration.ofSeconds(60)).log(log);
        HeartbeatFirmware.REGIONS.forEach(b::region);
        Rproc rproc = b.build();
        iommu.handler = new MmuFaultHandler(rproc);
        return rproc;
    }

    private Rproc bootedHeartbeat() {
        firmware.put(HeartbeatFirmware.NAME, HeartbeatFirmware.image());
        Rproc rproc = rproc(HeartbeatFirmware.NAME, 3);
        rproc.boot();
        // the first slice runs the start-up code, which sets the mailbox to the default output
        rproc.tick(100);
        return rproc;
    }

    private static void runSlices(Rproc rproc, int slices) {
        for (int i = 0; i < slices; i++) {
            rproc.tick(100);
        }
    }

    @Test
    void runsItsFirmwareThroughItsOwnIommuDomain() {
        Rproc rproc = bootedHeartbeat();

        runSlices(rproc, 3);

        assertThat(rproc.state()).isEqualTo(RprocState.RUNNING);
        assertThat(rproc.readWord(HeartbeatFirmware.HEARTBEAT)).isEqualTo(4);
        assertThat(rproc.readWord(HeartbeatFirmware.OUTPUT)).isEqualTo(4);
        assertThat(iommu.mapped(HeartbeatFirmware.TEXT.deviceAddress())).isTrue();
        assertThat(iommu.delivered).isEmpty();
    }

    @Test
    void anIommuFaultCrashesItAndRecoveryRunsTheFirmwareAgain() {
        Rproc rproc = bootedHeartbeat();
        runSlices(rproc, 2);
        rproc.writeWord(HeartbeatFirmware.MAILBOX, UNMAPPED);

        assertThat(rproc.tick(100)).isEqualTo(ProcessorCore.Exit.BUS_ERROR);

        assertThat(iommu.delivered).hasSize(1);
        assertThat(iommu.delivered.get(0).answers()).containsExactly(ResponseCode.INVALID);
        assertThat(recovery.runAll()).isPositive();
        assertThat(rproc.state()).isEqualTo(RprocState.RUNNING);
        assertThat(rproc.status().crashCount()).isEqualTo(1);
        assertThat(rproc.status().recoveries()).isEqualTo(1);
        Crash crash = rproc.status().lastCrash().orElseThrow();
        assertThat(crash.type()).isEqualTo(CrashType.MMUFAULT);
        assertThat(crash.deviceAddress()).isEqualTo(UNMAPPED);
        assertThat(crash.access()).isEqualTo(Permissions.WRITE);
        assertThat(crash.reportedNanos()).isEqualTo(clock.nanos());

        runSlices(rproc, 2);
        assertThat(rproc.readWord(HeartbeatFirmware.MAILBOX)).isEqualTo(HeartbeatFirmware.OUTPUT);
        assertThat(rproc.readWord(HeartbeatFirmware.HEARTBEAT)).isEqualTo(2);
        assertThat(rproc.readWord(HeartbeatFirmware.OUTPUT)).isEqualTo(2);
    }

    @Test
    void recoveryDumpsEveryCarveoutAsItWasAtTheCrash() {
        Rproc rproc = bootedHeartbeat();
        runSlices(rproc, 5);
        long heartbeat = rproc.readWord(HeartbeatFirmware.HEARTBEAT);
        rproc.writeWord(HeartbeatFirmware.MAILBOX, UNMAPPED);
        rproc.tick(100);
        recovery.runAll();

        Coredump dump = rproc.lastCoredump().orElseThrow();
        assertThat(dump.crashNumber()).isEqualTo(1);
        assertThat(dump.firmware()).isEqualTo(HeartbeatFirmware.NAME);
        assertThat(dump.segments()).extracting(s -> s.name()).containsExactly("text", "data", "shared");
        assertThat(dump.size()).isEqualTo(3 * 4096);
        assertThat(dump.segment("text").orElseThrow().word(HeartbeatFirmware.TEXT.deviceAddress()))
                .isEqualTo(Opcode.LOAD.encode(HeartbeatFirmware.DEFAULT_OUTPUT));
        // the crashing slice incremented the heartbeat before its store to the bad address faulted
        assertThat(dump.segment("data").orElseThrow().word(HeartbeatFirmware.HEARTBEAT)).isEqualTo(heartbeat + 1);
        assertThat(dump.segment("shared").orElseThrow().word(HeartbeatFirmware.MAILBOX)).isEqualTo(UNMAPPED);
        assertThat(dump.segment("shared").orElseThrow().word(HeartbeatFirmware.OUTPUT)).isEqualTo(heartbeat);
        assertThat(rproc.readWord(HeartbeatFirmware.HEARTBEAT)).isZero();
    }

    @Test
    void faultsWhileACrashIsHandledAreCoalescedAndCounted() {
        Rproc rproc = bootedHeartbeat();
        rproc.writeWord(HeartbeatFirmware.MAILBOX, UNMAPPED);
        rproc.tick(100);
        MmuFaultHandler handler = new MmuFaultHandler(rproc);
        List<RecordingFaultGroup> late = List.of(
                RecordingFaultGroup.unrecoverable(SID, UNMAPPED + 8, Permissions.WRITE),
                RecordingFaultGroup.pageRequest(SID, Pasid.NONE, 4, UNMAPPED + 16, Permissions.READ),
                RecordingFaultGroup.unrecoverable(SID, UNMAPPED + 24, Permissions.WRITE));
        late.forEach(handler::handle);

        recovery.runAll();

        assertThat(late).allSatisfy(g -> assertThat(g.answers()).containsExactly(ResponseCode.INVALID));
        assertThat(rproc.status().crashCount()).isEqualTo(1);
        assertThat(rproc.status().coalescedReports()).isEqualTo(3);
        assertThat(rproc.status().lastCrash().orElseThrow().deviceAddress()).isEqualTo(UNMAPPED);
        assertThat(rproc.state()).isEqualTo(RprocState.RUNNING);
    }

    @Test
    void printsTheLinuxRemoteprocLines() {
        Rproc rproc = bootedHeartbeat();
        log.lines.clear();
        rproc.writeWord(HeartbeatFirmware.MAILBOX, 0x8000_0000L);
        rproc.tick(100);
        recovery.runAll();

        assertThat(log.lines).containsExactly(
                "sid:0x21: iommu fault: da 0x80000000 flags 0x1",
                "remoteproc remoteproc0: crash detected in adsp: type mmufault",
                "remoteproc remoteproc0: handling crash #1 in adsp",
                "remoteproc remoteproc0: recovering adsp",
                "remoteproc remoteproc0: stopped remote processor adsp",
                "remoteproc remoteproc0: remote processor adsp is now up");
    }

    @Test
    void withRecoveryDisabledItStaysCrashedUntilRecoveryIsEnabled() {
        Rproc rproc = bootedHeartbeat();
        rproc.setRecoveryEnabled(false);
        rproc.writeWord(HeartbeatFirmware.MAILBOX, UNMAPPED);
        rproc.tick(100);
        recovery.runAll();

        assertThat(rproc.state()).isEqualTo(RprocState.CRASHED);
        assertThat(rproc.status().recoveries()).isZero();
        assertThat(rproc.tick(100)).isEqualTo(ProcessorCore.Exit.STOPPED);

        rproc.setRecoveryEnabled(true);
        recovery.runAll();

        assertThat(rproc.state()).isEqualTo(RprocState.RUNNING);
        assertThat(rproc.status().recoveries()).isEqualTo(1);
        assertThat(rproc.status().crashCount()).isEqualTo(1);
    }

    @Test
    void aFirmwareThatCrashesAtEveryStartIsRecoveredOnlyAsOftenAsThePolicyAllows() {
        firmware.put("broken.mbn", HeartbeatFirmware.image("broken.mbn", UNMAPPED));
        Rproc rproc = rproc("broken.mbn", 3);
        rproc.boot();

        for (int i = 0; i < 10 && rproc.state() == RprocState.RUNNING; i++) {
            assertThat(rproc.tick(100)).isEqualTo(ProcessorCore.Exit.BUS_ERROR);
            recovery.runAll();
            clock.advanceNanos(Duration.ofSeconds(1).toNanos());
        }

        assertThat(rproc.state()).isEqualTo(RprocState.CRASHED);
        assertThat(rproc.status().crashCount()).isEqualTo(4);
        assertThat(rproc.status().recoveries()).isEqualTo(3);
        assertThat(rproc.status().crashLoopHalts()).isEqualTo(1);
        assertThat(log.lines).contains(
                "remoteproc remoteproc0: crash loop: 3 recoveries within 60000 ms, leaving adsp crashed");

        assertThat(rproc.recover()).isTrue();
        recovery.runAll();
        assertThat(rproc.state()).isEqualTo(RprocState.RUNNING);
        assertThat(rproc.status().recoveries()).isEqualTo(4);
    }

    @Test
    void recoveriesOlderThanTheWindowDoNotCountTowardsACrashLoop() {
        Rproc rproc = bootedHeartbeat();

        for (int i = 0; i < 6; i++) {
            rproc.writeWord(HeartbeatFirmware.MAILBOX, UNMAPPED);
            rproc.tick(100);
            recovery.runAll();
            rproc.tick(100);
            clock.advanceNanos(Duration.ofSeconds(21).toNanos());
        }

        assertThat(rproc.state()).isEqualTo(RprocState.RUNNING);
        assertThat(rproc.status().recoveries()).isEqualTo(6);
        assertThat(rproc.status().crashLoopHalts()).isZero();
    }

    @Test
    void anUndefinedInstructionIsAFatalErrorCrash() {
        firmware.put("garbage.mbn", new FirmwareImage("garbage.mbn", HeartbeatFirmware.TEXT.deviceAddress(),
                List.of(FirmwareSegment.ofWords(HeartbeatFirmware.TEXT.deviceAddress(), 0xff00_0000_0000_0000L))));
        Rproc rproc = rproc("garbage.mbn", 1);
        rproc.boot();

        assertThat(rproc.tick(10)).isEqualTo(ProcessorCore.Exit.UNDEFINED_INSTRUCTION);
        recovery.runAll();

        assertThat(rproc.status().lastCrash().orElseThrow().type()).isEqualTo(CrashType.FATAL_ERROR);
        assertThat(log.lines).contains("remoteproc remoteproc0: crash detected in adsp: type fatal error");
        assertThat(iommu.delivered).isEmpty();
    }

    @Test
    void withoutItsFirmwareRecoveryLeavesItOffline() {
        Rproc rproc = bootedHeartbeat();
        firmware.clear();
        rproc.writeWord(HeartbeatFirmware.MAILBOX, UNMAPPED);
        rproc.tick(100);
        recovery.runAll();

        assertThat(rproc.state()).isEqualTo(RprocState.OFFLINE);
        assertThat(log.lines).contains(
                "remoteproc remoteproc0: request_firmware failed: heartbeat.mbn, adsp stays offline");
    }

    @Test
    void anOfflineProcessorIgnoresCrashReports() {
        Rproc rproc = bootedHeartbeat();
        rproc.shutdown();

        assertThat(rproc.reportCrash(CrashType.WATCHDOG)).isFalse();

        assertThat(recovery.queued()).isZero();
        assertThat(rproc.status().crashCount()).isZero();
        assertThat(rproc.status().coalescedReports()).isZero();
    }

    @Test
    void aWatchdogCrashIsRecoveredLikeAnyOther() {
        Rproc rproc = bootedHeartbeat();

        assertThat(rproc.reportCrash(CrashType.WATCHDOG)).isTrue();
        assertThat(rproc.reportCrash(CrashType.WATCHDOG)).isFalse();
        recovery.runAll();

        assertThat(rproc.status().lastCrash().orElseThrow().type()).isEqualTo(CrashType.WATCHDOG);
        assertThat(rproc.status().coalescedReports()).isEqualTo(1);
        assertThat(rproc.state()).isEqualTo(RprocState.RUNNING);
    }

    @Test
    void bootingTwiceIsRefused() {
        Rproc rproc = bootedHeartbeat();

        assertThatThrownBy(rproc::boot).isInstanceOf(IllegalStateException.class).hasMessageContaining("RUNNING");
    }

    @Test
    void aFirmwareSegmentOutsideTheCarveoutsIsRefusedAtBoot() {
        firmware.put("wild.mbn", new FirmwareImage("wild.mbn", HeartbeatFirmware.TEXT.deviceAddress(),
                List.of(FirmwareSegment.ofWords(UNMAPPED, 1, 2))));
        Rproc rproc = rproc("wild.mbn", 1);

        assertThatThrownBy(rproc::boot).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0x400000").hasMessageContaining("no carveout");
        assertThat(rproc.state()).isEqualTo(RprocState.OFFLINE);
    }

    @Test
    void releasingUnmapsTheCarveouts() {
        Rproc rproc = bootedHeartbeat();

        rproc.release();

        assertThat(rproc.state()).isEqualTo(RprocState.OFFLINE);
        assertThat(iommu.mapped(HeartbeatFirmware.TEXT.deviceAddress())).isFalse();
    }

    @Test
    void dataIsNotExecutableAndTextIsNotWritable() {
        long text = HeartbeatFirmware.TEXT.deviceAddress();
        firmware.put("jumper.mbn", new FirmwareImage("jumper.mbn", text, List.of(FirmwareSegment.ofWords(text,
                Opcode.LOAD_IMMEDIATE.encode(1), Opcode.STORE.encode(text + 0x100),
                Opcode.JUMP.encode(HeartbeatFirmware.DATA.deviceAddress())))));
        Rproc rproc = rproc("jumper.mbn", 3);
        rproc.boot();

        assertThat(rproc.tick(10)).isEqualTo(ProcessorCore.Exit.BUS_ERROR);
        assertThat(iommu.delivered).singleElement().satisfies(g -> {
            assertThat(g.address(0)).isEqualTo(text + 0x100);
            assertThat(g.permissions(0)).isEqualTo(Permissions.WRITE);
        });
        recovery.runAll();
        rproc.writeWord(text + 0x100, Opcode.JUMP.encode(HeartbeatFirmware.DATA.deviceAddress()));
        rproc.writeWord(text, Opcode.JUMP.encode(text + 0x100));

        assertThat(rproc.tick(10)).isEqualTo(ProcessorCore.Exit.BUS_ERROR);
        assertThat(iommu.delivered.get(1).address(0)).isEqualTo(HeartbeatFirmware.DATA.deviceAddress());
        assertThat(iommu.delivered.get(1).permissions(0).exec()).isTrue();
    }

    @Test
    void faultsCoalescedIntoACrashBeingHandledAllocateNothing() {
        Rproc rproc = bootedHeartbeat();
        rproc.writeWord(HeartbeatFirmware.MAILBOX, UNMAPPED);
        rproc.tick(100);
        MmuFaultHandler handler = new MmuFaultHandler(rproc);
        RecordingFaultGroup group = RecordingFaultGroup.unrecoverable(SID, UNMAPPED, Permissions.WRITE);
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 10_000; i++) {
            handler.handle(group);
        }
        // The least of three rounds: a compilation or deoptimisation on a busy machine can allocate once inside
        // a round, while an allocation per fault would show in every round as at least 16 B x 10,000.
        long least = Long.MAX_VALUE;
        for (int round = 0; round < 3; round++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 10_000; i++) {
                handler.handle(group);
            }
            least = Math.min(least, threads.getCurrentThreadAllocatedBytes() - before);
        }

        assertThat(least).isLessThan(1024);
        assertThat(rproc.status().coalescedReports()).isEqualTo(40_000);
        assertThat(group.answers()).containsOnly(ResponseCode.INVALID);
        assertThat(group.answerCount()).isEqualTo(40_000);
    }
}
