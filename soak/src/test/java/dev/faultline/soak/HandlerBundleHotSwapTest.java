package dev.faultline.soak;

import static dev.faultline.soak.BackendBundleHotSwapTest.await;
import static dev.faultline.soak.FelixMachine.deadline;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.stats.FaultStatistics;
import dev.faultline.soak.handlerbundle.AnsweringHandlerActivator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;

/**
 * Hot swap of a driver (handler) bundle in a real Felix: version 1.0.0 holds every group it gets, version
 * 1.0.1.swap answers SUCCESS. Updating it answers the groups the old version held and left INVALID when its
 * clean-up window ends (the core's rule for a departing handler), a fault in the gap waits for the new version
 * (make-before-break) instead of being answered "no handler", and the new version serves it and the next fault;
 * each group has exactly one answer at the device.
 */
class HandlerBundleHotSwapTest {
    private static final String BSN = "dev.faultline.soak.handler";

    @Test
    void updatingADriverBundleAnswersItsHeldGroupsAndTheNewVersionServesTheGapAndTheNextFault(@TempDir Path storage)
            throws Exception {
        try (FelixMachine m = new FelixMachine(storage)) {
            String devices = m.smmuFunction.id + "," + m.vtdFunction.id;
            Bundle driver = m.felix.install("test:handler", handlerBundle(Map.of(
                    AnsweringHandlerActivator.DEVICES, devices, AnsweringHandlerActivator.ANSWER, "HOLD")));
            m.felix.service(FaultHandler.class, null);
            FaultStatistics stats = m.felix.service(FaultStatistics.class, null);
            assertThat(m.smmuFunction.send(SoakMachine.priPage(1, HandlerAct.SUCCESS), 2, deadline())).isTrue();
            assertThat(m.vtdFunction.send(SoakMachine.priPage(1, HandlerAct.SUCCESS), 1, deadline())).isTrue();
            await(() -> stats.pending().size() == 2, "both groups held by version 1.0.0");

            m.felix.update(BSN, "1.0.1.swap", Map.of(AnsweringHandlerActivator.ANSWER, "SUCCESS"), () -> {
                try {
                    assertThat(m.smmuFunction.send(SoakMachine.priPage(2, HandlerAct.SUCCESS), 1, deadline()))
                            .isTrue();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            });

            assertThat(driver.getVersion().toString()).isEqualTo("1.0.1.swap");
            m.felix.service(FaultHandler.class, null);
            assertThat(m.smmuFunction.send(SoakMachine.priPage(3, HandlerAct.SUCCESS), 1, deadline())).isTrue();
            assertThat(m.vtdFunction.send(SoakMachine.priPage(3, HandlerAct.SUCCESS), 1, deadline())).isTrue();
            assertThat(m.smmuFunction.awaitAnswers(deadline())).isTrue();
            assertThat(m.vtdFunction.awaitAnswers(deadline())).isTrue();

            PriFunction.Ledger smmu = m.smmuFunction.ledger();
            assertThat(smmu.groups()).isEqualTo(3);
            assertThat(smmu.answers()[1]).as("INVALID: the held group the old version left").isEqualTo(1);
            assertThat(smmu.answers()[0]).as("SUCCESS from version 1.0.1.swap: the gap's group and the next")
                    .isEqualTo(2);
            assertThat(stats.devices()).filteredOn(d -> d.device().equals(m.smmuFunction.id.toString())
                    || d.device().equals(m.vtdFunction.id.toString())).hasSize(2)
                    .allSatisfy(d -> assertThat(d.counts().noHandler()).as("answered 'no handler'").isZero());
            assertThat(smmu.duplicates()).isZero();
            PriFunction.Ledger vtd = m.vtdFunction.ledger();
            assertThat(vtd.answers()[1]).isEqualTo(1);
            assertThat(vtd.answers()[0]).isEqualTo(1);
            assertThat(vtd.duplicates()).isZero();
            assertThat(stats.pending()).isEmpty();
            assertThat(stats.totals().balanced()).isTrue();
        }
    }

    /** A bundle of this package's class files (the activator and its handler) with the given headers. */
    static byte[] handlerBundle(Map<String, String> headers) throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue(Constants.BUNDLE_MANIFESTVERSION, "2");
        main.putValue(Constants.BUNDLE_SYMBOLICNAME, BSN);
        main.putValue(Constants.BUNDLE_VERSION, "1.0.0");
        main.putValue(Constants.BUNDLE_ACTIVATOR, AnsweringHandlerActivator.class.getName());
        main.putValue(Constants.IMPORT_PACKAGE, "dev.faultline.api.fault;version=\"[1.0,2)\","
                + "dev.faultline.api.handler;version=\"[1.0,2)\",org.osgi.framework");
        headers.forEach(main::putValue);
        String dir = AnsweringHandlerActivator.class.getPackageName().replace('.', '/');
        Path classes;
        try {
            classes = Path.of(AnsweringHandlerActivator.class.getProtectionDomain().getCodeSource().getLocation()
                    .toURI()).resolve(dir);
        } catch (java.net.URISyntaxException e) {
            throw new IOException(e);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream out = new JarOutputStream(bytes, manifest); Stream<Path> files = Files.list(classes)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                out.putNextEntry(new JarEntry(dir + "/" + f.getFileName()));
                Files.copy(f, out);
                out.closeEntry();
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return bytes.toByteArray();
    }
}
