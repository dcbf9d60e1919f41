package dev.faultline.demo.internal;

import dev.faultline.drivers.remoteproc.HeartbeatFirmware;
import dev.faultline.drivers.remoteproc.RemoteProcessor;
import dev.faultline.drivers.remoteproc.RprocState;
import dev.faultline.drivers.remoteproc.RprocStatus;
import dev.faultline.demo.StepResult;
import java.util.Optional;
import java.util.Set;

/**
 * The remote processor's firmware is told (through its mailbox) to write where its domain maps nothing: the
 * SMMU faults, the driver's handler reports an mmufault crash, and recovery dumps and reboots the processor.
 */
final class RemoteprocStep implements DemoStep {
    private static final String TITLE = "remoteproc crash on an IOMMU fault, and recovery (SMMUv3)";
    /** A device address outside every carveout of the heartbeat firmware. */
    private static final long UNMAPPED = 0x0040_0000L;

    private final RecoveryCounts recoveries;

    RemoteprocStep(RecoveryCounts recoveries) {
        this.recoveries = recoveries;
    }

    @Override
    public String title() {
        return TITLE;
    }

    @Override
    public Set<String> expectedLogSources() {
        return Set.of("dev.faultline.drivers-remoteproc");
    }

    @Override
    public StepResult run(DemoServices services) throws InterruptedException {
        Optional<RemoteProcessor> found = services.await(RemoteProcessor.class,
                "(device=" + DemoTopology.REMOTEPROC + ")");
        if (found.isEmpty()) {
            return Checks.notRun(TITLE, "no remote processor (drivers-remoteproc configured for "
                    + DemoTopology.REMOTEPROC + ")");
        }
        RemoteProcessor rproc = found.get();
        Checks checks = new Checks();
        checks.expect(services.until(() -> rproc.state() == RprocState.RUNNING), rproc.name() + " is running");
        RprocStatus before = rproc.status();
        rproc.writeWord(HeartbeatFirmware.MAILBOX, UNMAPPED);
        boolean recovered = services.until(() -> rproc.status().recoveries() > before.recoveries()
                && rproc.state() == RprocState.RUNNING);
        RprocStatus after = rproc.status();
        checks.expect(after.crashCount() > before.crashCount(), "crashed: " + after.lastCrash()
                .map(c -> "crash #" + c.number() + ", " + c.type().label() + " at 0x" + Long.toHexString(c.deviceAddress())).orElse("no crash recorded"));
        checks.expect(recovered, "recovered and running again (" + (after.recoveries() - before.recoveries())
                + " recovery, coredump " + (rproc.lastCoredump().isPresent() ? "saved" : "missing") + ")");
        recoveries.add("remoteproc " + rproc.name(), after.recoveries() - before.recoveries());
        return checks.result(TITLE);
    }
}
