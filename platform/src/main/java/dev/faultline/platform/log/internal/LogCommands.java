package dev.faultline.platform.log.internal;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.backend.FaultPipeline;
import dev.faultline.platform.log.DecodedLog;
import dev.faultline.platform.log.JsonLines;
import dev.faultline.platform.log.LogDecoder;
import dev.faultline.platform.log.ReplayOptions;
import dev.faultline.platform.log.ReplayReport;
import dev.faultline.platform.log.Replayer;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Gogo commands {@code faultline:decode} and {@code faultline:replay}. {@code replay} needs the core's
 * {@link FaultPipeline} service; {@code decode} works without it. Without a Gogo shell the component is
 * registered and unused (its command package is imported optionally).
 */
@Component(service = LogCommands.class, property = {
    "osgi.command.scope=faultline", "osgi.command.function=decode", "osgi.command.function=replay"
})
public final class LogCommands {
    private final LogDecoder decoder = new LogDecoder();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile FaultPipeline pipeline;

    /**
     * Decodes a kernel log file.
     *
     * @return the faults; printed as a table
     * @throws IOException if the file cannot be read
     */
    @Descriptor("decode the IOMMU fault reports of a kernel log file (a table)")
    public DecodedLog decode(@Descriptor("kernel log file") String file) throws IOException {
        return read(file);
    }

    /**
     * Decodes a kernel log file, as JSON Lines when asked.
     *
     * @return the JSON Lines text, or the table
     * @throws IOException if the file cannot be read
     */
    @Descriptor("decode the IOMMU fault reports of a kernel log file")
    public Object decode(
            @Descriptor("one JSON object per fault") @Parameter(names = "--json", presentValue = "true",
                    absentValue = "false") boolean json,
            @Descriptor("kernel log file") String file) throws IOException {
        DecodedLog log = read(file);
        return json ? JsonLines.toJsonLines(log) : log;
    }

    /**
     * Replays the faults of a kernel log file through the running core.
     *
     * @return the replay report
     * @throws IOException if the file cannot be read
     * @throws IllegalStateException if the core's fault pipeline is not running
     */
    @Descriptor("replay the IOMMU faults of a kernel log file through the running core")
    public ReplayReport replay(
            @Descriptor("attach every device to this DMA domain") @Parameter(names = "--attach",
                    absentValue = "") String domain,
            @Descriptor("kernel log file") String file) throws IOException {
        FaultPipeline p = pipeline;
        if (p == null) {
            throw new IllegalStateException("no fault pipeline: the Faultline core is not running");
        }
        ReplayOptions options = ReplayOptions.defaults();
        if (!domain.isEmpty()) {
            options = options.attachEveryDevice(Domain.dma(domain));
        }
        return new Replayer(p).replay(read(file), options);
    }

    private DecodedLog read(String file) throws IOException {
        return decoder.decode(Path.of(file));
    }
}
