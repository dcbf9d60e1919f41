package dev.faultline.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged distribution, run as {@code java -jar} (integration-test phase, after packaging). */
class LauncherDistributionTest {

    @Test
    void theShellStartsEveryBundleAndExitsZeroAtEndOfInput() throws Exception {
        LauncherProcess.Result result = LauncherProcess.run("lb\n");

        assertThat(result.exitStatus()).as(result.err()).isZero();
        assertThat(result.out()).contains("'help faultline' lists the commands");
        assertThat(result.out().lines().filter(l -> l.contains("|Faultline ")))
                .isNotEmpty()
                .allSatisfy(l -> assertThat(l).contains("|Active "));
        assertThat(result.out()).as("the launcher is no bundle; the shell and the demo are")
                .contains("|Faultline shell").contains("|Faultline demo").doesNotContain("|Faultline launcher");
        assertThat(result.out()).contains("|Apache Felix Declarative Services").contains("|Apache Felix Gogo Shell");
    }

    @Test
    void exitAndExitZeroLeaveTheShellCleanlyWithStatusZero() throws Exception {
        for (String exit : new String[] {"exit\n", "exit 0\n"}) {
            LauncherProcess.Result result = LauncherProcess.run(exit);

            assertThat(result.exitStatus()).as(result.out() + result.err()).isZero();
            assertThat(result.out() + result.err()).as(exit).doesNotContain("Exception").doesNotContain("Cannot coerce")
                    .doesNotContain("\tat ");
        }
    }

    @Test
    void theShellListsItsCommandsAnswersWithUsageSurvivesABadSwapAndExitsWithTheStatusAsked(@TempDir Path dir)
            throws Exception {
        Path notAJar = Files.writeString(dir.resolve("notes.txt"), "not a jar");
        String typed = String.join("\n", "help faultline", "faultline:dma", "stats", "stats --json",
                "faultline:dma 0000:05:00.2 w 0x1234000 0x5", "faultline:swap dev.faultline.smmu-v3 " + notAJar,
                "faultline:iommus", "exit 3", "");

        LauncherProcess.Result result = LauncherProcess.run(typed, "--config", "conf/faultline.conf");

        assertThat(result.exitStatus()).as(result.out() + result.err()).isEqualTo(3);
        String out = result.out();
        assertThat(out).contains("command ").containsPattern("\nfaultline:stats +\\[--json\\] \\[--all\\] "
                        + "\\[<device>\\] +fault counters")
                .containsPattern("\nfaultline:swap +\\[--json\\] <bundle> <jar> +replace a running bundle")
                .doesNotContain("No methods found");
        assertThat(out).contains("gogo: UsageException: missing <device>\nusage: faultline:dma [--json] <device>"
                + " <r|w|x> <address> [<pasid>]");
        assertThat(out).contains("totals:\ncounter ").contains("\"totals\": [").doesNotContain("present=")
                .doesNotContain("DeviceStatus[");
        assertThat(out).containsPattern("\n0000:05:00.2 +w +0x1234000 +0x5 ");
        assertThat(out).contains("gogo: IllegalArgumentException: " + notAJar + " is not a jar\n")
                .containsPattern("\nsmmuv3.0 +[A-Za-z]+ +[0-9]+ +running\n");
        assertThat(out + result.err()).doesNotContain("Cannot coerce").doesNotContain("\tat ")
                .doesNotContain("InterruptedException");
    }

    @Test
    void aMissingConfigurationFileExitsTwoWhetherGivenAsOptionOrAsFaultlineConfig(@TempDir Path dir)
            throws Exception {
        Path missing = dir.resolve("absent.conf");

        LauncherProcess.Result option = LauncherProcess.run("", "--config", missing.toString(), "demo");
        assertThat(option.exitStatus()).isEqualTo(Main.USAGE);
        assertThat(option.err()).isEqualTo("faultline: cannot read configuration file " + missing + "\n");

        ProcessBuilder withVariable = new ProcessBuilder(Path.of("..", "faultline").toString(), "demo");
        withVariable.environment().put("FAULTLINE_CONFIG", missing.toString());
        Process run = withVariable.redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        run.getOutputStream().close();
        String err = new String(run.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(run.waitFor()).as(err).isEqualTo(Main.USAGE);
        assertThat(err).isEqualTo("faultline: cannot read configuration file " + missing + " (FAULTLINE_CONFIG)\n");
    }

    @Test
    void aConfigurationThatDoesNotMatchTheMetatypeExitsTwoNamingTheProperty(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("f.conf"), "[dev.faultline.launcher.log]\nlevell = INFO\n");

        LauncherProcess.Result result = LauncherProcess.run("", "--config", config.toString(), "demo");

        assertThat(result.exitStatus()).isEqualTo(Main.USAGE);
        assertThat(result.err()).contains("[dev.faultline.launcher.log] has no property 'levell' (known: level)");
    }

    @Test
    void theDemoRunsEveryStepAndExitsZeroWithASummary() throws Exception {
        LauncherProcess.Result result = LauncherProcess.run("", "--config", "conf/faultline.conf", "demo");

        assertThat(result.exitStatus()).as(result.out() + result.err()).isZero();
        assertThat(result.out()).contains("[1/6] ").contains("[6/6] a guest receives its faults")
                .contains("Faultline demo summary").contains("demo passed")
                .contains("host prints of guest faults             0")
                .contains("counters balance                 yes").doesNotContain("FAILED").doesNotContain("not run");
        // the usNIC's DMAR lines, the remote processor's crash and the GPU's recovery are shown on purpose,
        // labelled with their step; nothing else is an error
        assertThat(result.err().lines().filter(l -> l.contains("ERROR"))).as(result.err()).isNotEmpty()
                .allMatch(l -> l.startsWith("[demo 3/6, expected] ") || l.startsWith("[demo 4/6, expected] ")
                        || l.startsWith("[demo 5/6, expected] "));
    }

    /** An SMMUv3 event as Linux 6.14 prints it (testdata/real-fault-logs.jsonl, smmuv3-event-01). */
    private static final String SMMU_EVENT_LOG = """
            [   70.355743] arm-smmu-v3 arm-smmu-v3.5.auto: event 0x10 received:
            [   70.361893] arm-smmu-v3 arm-smmu-v3.5.auto:  0x0002060000000010
            [   70.367948] arm-smmu-v3 arm-smmu-v3.5.auto:  0x0000020000000000
            [   70.374002] arm-smmu-v3 arm-smmu-v3.5.auto:  0x00000000ff9bc000
            [   70.380055] arm-smmu-v3 arm-smmu-v3.5.auto:  0x0000000000000000
            """;

    @Test
    void decodeReadsAKernelLogFileThroughThePlatformDecoder(@TempDir Path dir) throws Exception {
        Path log = Files.writeString(dir.resolve("kern.log"), SMMU_EVENT_LOG);

        LauncherProcess.Result result = LauncherProcess.run("", "decode", "--json", log.toString());

        assertThat(result.exitStatus()).as(result.err()).isZero();
        assertThat(result.out()).contains("0xff9bc000").contains("F_TRANSLATION");
    }

    @Test
    void decodeReadsStandardInputWhenNoFileIsGiven() throws Exception {
        LauncherProcess.Result result = LauncherProcess.run(SMMU_EVENT_LOG, "decode");

        assertThat(result.exitStatus()).as(result.err()).isZero();
        assertThat(result.out()).contains("F_TRANSLATION");
    }

    @Test
    void replayReportsTheLogsFaultsGoingThroughTheRunningCore(@TempDir Path dir) throws Exception {
        Path log = Files.writeString(dir.resolve("kern.log"), SMMU_EVENT_LOG);

        LauncherProcess.Result result = LauncherProcess.run("", "replay", log.toString());

        assertThat(result.exitStatus()).as(result.out() + result.err()).isZero();
        assertThat(result.out()).isNotBlank();
    }

    /** A DMAR fault of 06:00.0 (testdata/real-fault-logs.jsonl, dmar-fault-23): the shipped machine has a device 0000:06:00.0 too. */
    private static final String DMAR_LOG = "[  815.089014] DMAR: [DMA Read] Request device [06:00.0] PASID ffffffff fault addr"
            + " 1a5e12000 [fault reason 06] PTE Read access is not set\n";

    @Test
    void replayOfALogNamingASimulatedDeviceUsesItsOwnNamespace(@TempDir Path dir) throws Exception {
        Path log = Files.writeString(dir.resolve("kern.log"), DMAR_LOG);

        LauncherProcess.Result result = LauncherProcess.run("", "--config", "conf/faultline.conf", "replay",
                log.toString());

        assertThat(result.exitStatus()).as(result.out() + result.err()).isZero();
        assertThat(result.out()).contains("device:           0000:06:00.0 as platform:replay/0000:06:00.0")
                .contains("faults replayed:  1").doesNotContain("error");
        assertThat(result.err()).doesNotContain("already added");
    }

    @Test
    void theShippedConfigurationApplies() throws Exception {
        LauncherProcess.Result result = LauncherProcess.run("", "--config", "conf/faultline.conf", "shell");

        assertThat(result.exitStatus()).as(result.err()).isZero();
        assertThat(result.err()).doesNotContain("bad configuration");
    }

    @Test
    void theDeployDirectoryInstallsUpdatesAndUninstallsAtStartAndAKeptStorageKeepsBundlesAcrossRuns(@TempDir Path dir)
            throws Exception {
        Path deploy = Files.createDirectories(dir.resolve("deploy"));
        Path storage = dir.resolve("storage");
        Path deployed = deploy.resolve("deployed.jar");
        Path byHand = bundleJar(dir.resolve("by-hand.jar"), "itest.byhand", "1.0.0");
        bundleJar(deployed, "itest.deployed", "1.0.0");

        LauncherProcess.Result first = LauncherProcess.run("install " + byHand.toUri() + "\nlb\nexit\n",
                "--storage", storage.toString(), "--deploy", deploy.toString());
        assertThat(first.exitStatus()).as(first.out() + first.err()).isZero();
        assertThat(first.out()).containsPattern("\\|Active +\\| +1\\|itest.deployed \\(1.0.0\\)")
                .containsPattern("\\|Installed +\\| +1\\|itest.byhand \\(1.0.0\\)");

        bundleJar(deployed, "itest.deployed", "2.0.0");
        LauncherProcess.Result second = LauncherProcess.run("lb\n", "--storage", storage.toString(), "--deploy",
                deploy.toString());
        assertThat(second.out()).as("kept, and the replaced jar updated its bundle")
                .containsPattern("\\|Installed +\\| +1\\|itest.byhand \\(1.0.0\\)")
                .containsPattern("\\|Active +\\| +1\\|itest.deployed \\(2.0.0\\)")
                .doesNotContain("itest.deployed (1.0.0)");

        Files.delete(deployed);
        LauncherProcess.Result third = LauncherProcess.run("lb\n", "--storage", storage.toString(), "--deploy",
                deploy.toString());
        assertThat(third.out()).as("a jar removed while the framework was stopped uninstalls its bundle")
                .doesNotContain("itest.deployed").containsPattern("\\|Installed +\\| +1\\|itest.byhand \\(1.0.0\\)");

        LauncherProcess.Result temporary = LauncherProcess.run("lb\n", "--deploy", deploy.toString());
        assertThat(temporary.out()).as("a temporary storage keeps nothing").contains("|Faultline shell")
                .doesNotContain("itest.byhand");
        assertThat(first.err() + second.err() + third.err() + temporary.err()).doesNotContain("ERROR")
                .doesNotContain("Exception");
    }

    private static Path bundleJar(Path file, String symbolicName, String version) throws Exception {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue("Bundle-ManifestVersion", "2");
        manifest.getMainAttributes().putValue("Bundle-SymbolicName", symbolicName);
        manifest.getMainAttributes().putValue("Bundle-Version", version);
        Path written = Files.createTempFile(file.getParent(), "bundle", ".tmp");
        try (OutputStream out = Files.newOutputStream(written); JarOutputStream jar = new JarOutputStream(out, manifest)) {
            jar.flush();
        }
        // replaced in one step, as a user's copy or build ends: the watcher never reads half a jar
        return Files.move(written, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
