package dev.faultline.itests.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.api.stats.FaultStatistics;
import dev.faultline.api.stats.HandlerStatus;
import dev.faultline.core.shell.UsageException;
import dev.faultline.itests.Services;
import dev.faultline.demo.DemoReport;
import dev.faultline.demo.DemoScenario;
import java.io.OutputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

/**
 * Every {@code faultline:*} command, run through Gogo's command processor as the shell runs what a user types:
 * tables by default, JSON with {@code --json}, the command's own usage for wrong arguments, hex or decimal
 * numbers, {@code help faultline}, {@code exit}, and a swap that fails putting the running bundle back.
 */
class ShellCommandsOSGiTest {
    private static final String SHELL = "dev.faultline.shell";
    /** The property of the launcher's exit service ({@code Main.EXIT_SERVICE}; the launcher is no bundle). */
    private static final String EXIT_SERVICE = "faultline.launcher.exit";
    /** Commands of other bundles whose arguments Gogo reads (parameters of their own types). */
    private static final Set<String> GOGO_TYPED = Set.of("decode", "replay");

    @InjectBundleContext
    BundleContext context;

    @InjectService(timeout = 20_000)
    DemoScenario demo;

    @InjectService
    FaultStatistics statistics;

    private static final AtomicBoolean DEMO_RAN = new AtomicBoolean();

    @BeforeEach
    void machineIsConfigured() {
        // the demo configures the machine the commands show (one SMMUv3, one VT-d unit, seven devices)
        if (!DEMO_RAN.getAndSet(true)) {
            DemoReport report = demo.run(line -> { });
            assertThat(report.passed()).as(report.steps().toString()).isTrue();
        }
    }

    private String shell(String line) throws Exception {
        return (String) Services.shell(context, line);
    }

    @Test
    void everyDeclaredFunctionIsAPublicMethodAndEveryPublicMethodIsDeclared() {
        for (ServiceReference<?> ref : commands(SHELL, "dev.faultline.demo")) {
            Object service = context.getService(ref);
            Set<String> declared = Set.of(functions(ref));
            Set<String> methods = Arrays.stream(service.getClass().getDeclaredMethods())
                    .filter(m -> Modifier.isPublic(m.getModifiers())).map(Method::getName).collect(Collectors.toSet());
            assertThat(methods).as(service.getClass().getSimpleName()).isEqualTo(declared);
            context.ungetService(ref);
        }
    }

    @Test
    void helpFaultlineListsEveryFaultlineCommandOfEveryBundleWithItsArgumentsAndDescription() throws Exception {
        String help = shell("faultline:help faultline");

        assertThat(help.lines().findFirst()).hasValueSatisfying(header -> assertThat(header)
                .matches("command +arguments +description"));
        for (String function : allFunctions()) {
            assertThat(help).as(function).containsPattern("\nfaultline:" + function + " +.* [a-z]");
        }
        assertThat(help).containsPattern("\nfaultline:dma +\\[--json\\] <device> <r\\|w\\|x> <address> \\[<pasid>\\] +one"
                + " 8-byte DMA access");
        assertThat(shell("faultline:help dma")).contains("faultline:dma").doesNotContain("faultline:stats");
        assertThat(shell("faultline:help --json faultline:stats")).startsWith("[\n  {\"command\": \"faultline:stats\","
                + " \"arguments\": \"[--json] [--all] [<device>]\"");
    }

    @Test
    void everyCommandReadingItsOwnArgumentsAnswersAWrongOptionWithItsUsage() throws Exception {
        for (String function : allFunctions()) {
            if (GOGO_TYPED.contains(function)) {
                continue;
            }
            assertThatThrownBy(() -> shell("faultline:" + function + " --no-such-option")).as(function)
                    .isInstanceOf(UsageException.class)
                    .hasMessageStartingWith("unknown option --no-such-option\nusage: ")
                    .hasMessageContaining(function);
        }
    }

    @Test
    void everyListingPrintsATableByDefaultAndJsonWhenAsked() throws Exception {
        for (String command : List.of("stats", "pending", "handlers", "iommus", "devices", "domains", "smmu", "vtd",
                "gpu", "rproc", "viommus", "vsmmus", "vvtds")) {
            String text = shell("faultline:" + command);
            assertThat(text).as(command).doesNotContainPattern("[A-Z][A-Za-z]+\\[[a-z]+=").endsWith("\n");
            assertThat(text.lines()).as(command).allSatisfy(l -> assertThat(l.length()).isLessThan(200));
            assertThat(shell("faultline:" + command + " --json")).as(command).matches("(?s)^[\\[{].*[\\]}]$");
        }
    }

    @Test
    void iommusListsTheSmmuAndTheVtdUnitWithTheirBackends() throws Exception {
        assertThat(shell("faultline:iommus")).startsWith("iommu ").contains(" backend\n")
                .containsPattern("\nsmmuv3.0 +[A-Za-z]+ +[0-9]+ +running\n")
                .containsPattern("\ndmar0 +[A-Za-z]+ +[0-9]+ +running\n");
        assertThat(shell("faultline:iommus --json")).contains("{\"iommu\": \"dmar0\", ").contains("\"backend\": true}");
    }

    @Test
    void devicesListsTheFirmwareDevicesWithTheFaultsTheCoreCounted() throws Exception {
        String devices = shell("faultline:devices");

        assertThat(devices).startsWith("device ")
                .containsPattern("\n0000:03:00.0 +smmuv3.0 +0x[0-9a-f]{4} +pri ")
                .containsPattern("\nplatform:adreno0 +smmuv3.0 +0x[0-9a-f]{4} +stall ")
                .containsPattern("\n0000:05:00.2 +dmar0 +0x0502 +terminate +[1-9][0-9]* ");
    }

    @Test
    void statsListsEachPresentDeviceOnceAndCountsTheRemovedOnes() throws Exception {
        String stats = shell("faultline:stats");
        List<String> deviceLines = stats.lines().dropWhile(l -> !l.equals("devices:")).skip(2)
                .takeWhile(l -> !l.isEmpty() && !l.endsWith("(faultline:stats --all)")).toList();
        long present = statistics.devices().stream().filter(d -> d.present()).count();
        long removed = statistics.devices().size() - present;

        assertThat(deviceLines).hasSize((int) present).noneMatch(l -> l.contains("(removed)"));
        assertThat(deviceLines.stream().map(l -> l.split(" ")[0]).distinct()).hasSize((int) present);
        if (removed > 0) {
            assertThat(stats).endsWith(removed + " removed device" + (removed == 1 ? "" : "s")
                    + " not listed (faultline:stats --all)\n");
            assertThat(shell("faultline:stats --all")).contains("(removed)");
        }
        assertThat(shell("faultline:stats 0000:05:00.2")).startsWith("devices:\n").doesNotContain("totals:");
    }

    @Test
    void domainsListsTheDomainsHandlersServe() throws Exception {
        List<String> domains = shell("faultline:domains").lines().skip(1).map(l -> l.split(" ")[0]).toList();

        List<String> served = statistics.handlers().stream().flatMap(h -> h.domains().stream()).sorted().toList();
        assertThat(domains).containsExactlyElementsOf(served);
        assertThat(served).as("the demo's remote processor").contains("mpss");
    }

    @Test
    void domainsShowsWhichHandlerWinsAndWhatPutsTheOthersBehindIt() throws Exception {
        List<ServiceRegistration<FaultHandler>> registrations = new ArrayList<>();
        try {
            for (int ranking : new int[] {1, 5}) {
                Hashtable<String, Object> props = new Hashtable<>();
                props.put(HandlerProperties.DOMAIN, "ranked-domain");
                props.put("service.ranking", ranking);
                props.put("component.name", "ranked-" + ranking);
                registrations.add(context.registerService(FaultHandler.class, g -> g.respond(ResponseCode.INVALID),
                        props));
            }
            long winner = (Long) registrations.get(1).getReference().getProperty("service.id");
            Services.await(() -> statistics.handlers().stream().filter(h -> h.domains().contains("ranked-domain")
                    && h.state() == HandlerStatus.State.ACTIVE).count() == 2);

            List<String> lines = shell("faultline:domains").lines().filter(l -> l.startsWith("ranked-domain ")).toList();

            assertThat(lines).hasSize(2);
            assertThat(lines.get(0)).contains("ranked-5").containsPattern(" 5 +" + winner + " +ACTIVE +serves ");
            assertThat(lines.get(1)).contains("ranked-1").contains("behind ranked-5 (ranking 5, service.id " + winner
                    + ")");
            assertThat(shell("faultline:domains --json")).contains("\"standing\": \"serves\"");
        } finally {
            registrations.forEach(ServiceRegistration::unregister);
        }
    }

    @Test
    void dmaTakesHexOrDecimalAndFaultsThroughThePipeline() throws Exception {
        long before = usnicReported();

        assertThat(shell("faultline:dma 0000:05:00.2 w 0x1234000")).containsPattern(
                "\n0000:05:00.2 +w +0x1234000 +none +ABORTED ");
        assertThat(shell("faultline:dma 0000:05:00.2 r 19087360 0x1f")).containsPattern(
                "\n0000:05:00.2 +r +0x1234000 +0x1f +[A-Z_]+ ");
        assertThat(shell("faultline:dma --json 0000:05:00.2 x 0X1234000 31"))
                .contains("\"address\": 19087360, \"pasid\": 31");
        Services.await(() -> usnicReported() > before);
    }

    @Test
    void dmaGivesItsUsageForMissingOrWrongArgumentsAndNamesAnUnknownDevice() {
        String usage = "\nusage: faultline:dma [--json] <device> <r|w|x> <address> [<pasid>]";
        assertThatThrownBy(() -> shell("faultline:dma")).isInstanceOf(UsageException.class)
                .hasMessage("missing <device>" + usage);
        assertThatThrownBy(() -> shell("faultline:dma 0000:05:00.2 w")).hasMessage("missing <address>" + usage);
        assertThatThrownBy(() -> shell("faultline:dma 0000:05:00.2 w 0xnothex"))
                .hasMessage("<address> is a number, 0x<hex> or decimal, not '0xnothex'" + usage);
        assertThatThrownBy(() -> shell("faultline:dma 0000:05:00.2 w 0x1000 0x100000"))
                .hasMessage("<pasid> is from 0x0 to 0xfffff, not 0x100000" + usage);
        assertThatThrownBy(() -> shell("faultline:dma 0000:05:00.2 q 0x1000")).hasMessage("access is r, w or x, not 'q'"
                + usage);
        assertThatThrownBy(() -> shell("faultline:dma 0000:7f:00.0 r 0x1000"))
                .hasMessage("no device 0000:7f:00.0 on the machine (see faultline:devices)");
    }

    @Test
    void exitHandsItsStatusToTheLauncherAndRefusesAStatusOutOfRange() throws Exception {
        List<Integer> statuses = new CopyOnWriteArrayList<>();
        IntConsumer launcher = statuses::add;
        ServiceRegistration<IntConsumer> registration = context.registerService(IntConsumer.class, launcher,
                new Hashtable<>(Map.of(EXIT_SERVICE, Boolean.TRUE)));
        try {
            shell("faultline:exit");
            shell("faultline:exit 0x3");
            shell("faultline:exit 255");
            assertThatThrownBy(() -> shell("faultline:exit 256")).isInstanceOf(UsageException.class)
                    .hasMessage("<status> is from 0x0 to 0xff, not 256\nusage: exit [<status>]");
            assertThatThrownBy(() -> shell("faultline:exit now")).isInstanceOf(UsageException.class);
        } finally {
            registration.unregister();
        }
        assertThat(statuses).containsExactly(0, 3, 255);
    }

    @Test
    void swapReplacesABundleWithANewJarKeepingItsId(@TempDir Path dir) throws Exception {
        // a bundle nothing imports from: a refresh restarts only it (swapping a bundle the launcher or this
        // test imports from restarts them too, which is what OSGi's refresh does)
        Bundle bundle = context.installBundle(bundleJar(dir.resolve("v1.jar"), "1.0.0", null).toUri().toString());
        try {
            bundle.start();
            Path v2 = bundleJar(dir.resolve("v2.jar"), "2.0.0", null);

            String swap = shell("faultline:swap 0x" + Long.toHexString(bundle.getBundleId()) + " " + v2);

            assertThat(swap).startsWith("bundle             id  from   to     source")
                    .containsPattern("\nitest.swap.target +" + bundle.getBundleId() + " +1.0.0 +2.0.0 +" + v2
                            + " +ACTIVE +[0-9.]+\n");
            assertThat(bundle.getVersion()).hasToString("2.0.0");
            assertThat(bundle.getState()).isEqualTo(Bundle.ACTIVE);
        } finally {
            bundle.uninstall();
        }
    }

    @Test
    void aSwapThatCannotStartPutsTheRunningBundleBackAndSaysWhyInOneLine(@TempDir Path dir) throws Exception {
        Bundle bundle = context.installBundle(bundleJar(dir.resolve("v1.jar"), "1.0.0", null).toUri().toString());
        try {
            bundle.start();
            Path broken = bundleJar(dir.resolve("v2.jar"), "2.0.0", "no.such.pkg");

            assertThatThrownBy(() -> shell("faultline:swap itest.swap.target " + broken))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("swap of itest.swap.target failed: ")
                    .hasMessageContaining("no.such.pkg")
                    .hasMessageEndingWith("; rolled back to itest.swap.target 1.0.0, ACTIVE")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
            assertThat(bundle.getVersion()).hasToString("1.0.0");
            assertThat(bundle.getState()).isEqualTo(Bundle.ACTIVE);
        } finally {
            bundle.uninstall();
        }
    }

    @Test
    void swappingABackendForWhatIsNotItsJarChangesNothingAndTheBackendKeepsRunning(@TempDir Path dir)
            throws Exception {
        Bundle smmu = Arrays.stream(context.getBundles())
                .filter(b -> "dev.faultline.smmu-v3".equals(b.getSymbolicName())).findFirst().orElseThrow();
        Path text = Files.writeString(dir.resolve("notes.txt"), "not a jar");
        Path other = bundleJar(dir.resolve("other.jar"), "1.0.0", null);

        assertThatThrownBy(() -> shell("faultline:swap dev.faultline.smmu-v3 " + text))
                .isInstanceOf(IllegalArgumentException.class).hasMessage(text + " is not a jar");
        assertThatThrownBy(() -> shell("faultline:swap dev.faultline.smmu-v3 " + other))
                .hasMessage(other + " is bundle itest.swap.target, not dev.faultline.smmu-v3");
        assertThatThrownBy(() -> shell("faultline:swap dev.faultline.smmu-v3 " + dir.resolve("absent.jar")))
                .hasMessageStartingWith("cannot read " + dir.resolve("absent.jar") + ": no jar at ");

        assertThat(smmu.getState()).isEqualTo(Bundle.ACTIVE);
        assertThat(shell("faultline:iommus")).containsPattern("\nsmmuv3.0 +[A-Za-z]+ +[0-9]+ +running\n");
    }

    @Test
    void swapNamesAMissingBundleAndRefusesTheBundleRunningTheCommand() {
        assertThatThrownBy(() -> shell("faultline:swap no.such.bundle")).hasMessage("no bundle named no.such.bundle");
        assertThatThrownBy(() -> shell("faultline:swap 0xffff")).hasMessage("no bundle with id 0xffff");
        assertThatThrownBy(() -> shell("faultline:swap " + SHELL)).hasMessage(
                "cannot swap dev.faultline.shell: it runs the framework or this command");
        assertThatThrownBy(() -> shell("faultline:swap")).isInstanceOf(UsageException.class)
                .hasMessage("missing <bundle>\nusage: faultline:swap [--json] <bundle> <jar>");
    }

    @Test
    void swapWithoutAJarRefusesAndSaysWhyInsteadOfReinstallingWhatTheBundleWasInstalledFrom() {
        Bundle smmu = Arrays.stream(context.getBundles())
                .filter(b -> "dev.faultline.smmu-v3".equals(b.getSymbolicName())).findFirst().orElseThrow();
        long modified = smmu.getLastModified();

        assertThatThrownBy(() -> shell("faultline:swap dev.faultline.smmu-v3")).isInstanceOf(UsageException.class)
                .hasMessage("missing <jar>: dev.faultline.smmu-v3 is not swapped for the content it was installed"
                        + " from (" + smmu.getLocation() + "), which would undo any earlier swap\nusage:"
                        + " faultline:swap [--json] <bundle> <jar>");
        assertThatThrownBy(() -> shell("faultline:swap --json 0x" + Long.toHexString(smmu.getBundleId())))
                .isInstanceOf(UsageException.class).hasMessageStartingWith("missing <jar>: dev.faultline.smmu-v3 ");

        assertThat(smmu.getLastModified()).isEqualTo(modified);
        assertThat(smmu.getState()).isEqualTo(Bundle.ACTIVE);
    }

    private static Path bundleJar(Path file, String version, String importPackage) throws Exception {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue("Bundle-ManifestVersion", "2");
        manifest.getMainAttributes().putValue("Bundle-SymbolicName", "itest.swap.target");
        manifest.getMainAttributes().putValue("Bundle-Version", version);
        if (importPackage != null) {
            manifest.getMainAttributes().putValue("Import-Package", importPackage);
        }
        try (OutputStream out = Files.newOutputStream(file); JarOutputStream jar = new JarOutputStream(out, manifest)) {
            jar.flush();
        }
        return file;
    }

    private long usnicReported() {
        return statistics.devices().stream().filter(d -> d.device().equals("0000:05:00.2"))
                .mapToLong(d -> d.counts().reported()).sum();
    }

    private List<String> allFunctions() {
        List<String> out = new ArrayList<>();
        for (ServiceReference<?> ref : commands()) {
            out.addAll(List.of(functions(ref)));
        }
        assertThat(out).contains("stats", "smmu", "vtd", "gpu", "rproc", "viommus", "dma", "swap", "help", "exit");
        return out;
    }

    /** The {@code faultline} commands of the bundles named, or of every bundle when none is. */
    private List<ServiceReference<?>> commands(String... bundles) {
        try {
            ServiceReference<?>[] refs = context.getAllServiceReferences(null, "(osgi.command.scope=faultline)");
            return Arrays.stream(refs).filter(r -> bundles.length == 0
                    || Arrays.asList(bundles).contains(r.getBundle().getSymbolicName())).toList();
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String[] functions(ServiceReference<?> ref) {
        Object value = ref.getProperty("osgi.command.function");
        return value instanceof String[] array ? array : new String[] {(String) value};
    }
}
