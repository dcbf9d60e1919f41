package dev.faultline.shell.internal.config;

import dev.faultline.shell.config.ConfigurationSettled;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.ToIntFunction;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * The launcher's {@code configure} task: applies a {@link ConfigFile} through Config Admin, typed by the
 * metatype of the bundles installed, and returns once Config Admin has delivered every change
 * ({@link ConfigurationSettled}), so the components started next see their final configuration and nothing
 * restarts after them. Exit status 0; 2 with one line per problem on standard error; 3 if the changes were not
 * delivered in time.
 */
@Component(service = ToIntFunction.class, property = "faultline.launcher.task=configure")
public final class ConfigureTask implements ToIntFunction<String[]> {
    /** How long the configuration may take to be delivered. */
    private static final long SETTLE_MILLIS = 20_000;

    private final BundleContext context;
    private final ConfigurationAdmin configurationAdmin;
    private final MetaTypeService metaTypeService;
    private final PrintStream err;

    /** The component. */
    @Activate
    public ConfigureTask(BundleContext context, @Reference ConfigurationAdmin configurationAdmin,
            @Reference MetaTypeService metaTypeService) {
        this(context, configurationAdmin, metaTypeService, System.err);
    }

    ConfigureTask(BundleContext context, ConfigurationAdmin configurationAdmin, MetaTypeService metaTypeService,
            PrintStream err) {
        this.context = context;
        this.configurationAdmin = configurationAdmin;
        this.metaTypeService = metaTypeService;
        this.err = err;
    }

    /** @param args exactly one argument: the configuration file */
    @Override
    public int applyAsInt(String[] args) {
        if (args.length != 1) {
            err.println("faultline: configure takes one file, got " + Arrays.toString(args));
            return 2;
        }
        try {
            ConfigFile file = ConfigFile.read(Path.of(args[0]));
            new ConfigurationWriter(configurationAdmin, this::describe).write(args[0], file);
            if (!new ConfigurationSettled(context, configurationAdmin).await(SETTLE_MILLIS)) {
                err.println("faultline: Config Admin did not deliver the configuration within " + SETTLE_MILLIS
                        + " ms");
                return 3;
            }
            return 0;
        } catch (IllegalArgumentException | UncheckedIOException e) {
            err.println("faultline: bad configuration:");
            e.getMessage().lines().forEach(line -> err.println("  " + line));
            return 2;
        } catch (IOException e) {
            err.println("faultline: Config Admin could not store the configuration: " + e.getMessage());
            return 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("faultline: interrupted while the configuration was being applied");
            return 3;
        }
    }

    /** The metatype description of {@code pid} (a PID or factory PID) from whichever bundle declares it. */
    Optional<ObjectClassDefinition> describe(String pid) {
        for (Bundle bundle : context.getBundles()) {
            MetaTypeInformation information = metaTypeService.getMetaTypeInformation(bundle);
            if (information == null) {
                continue;
            }
            if (Arrays.asList(information.getPids()).contains(pid)
                    || Arrays.asList(information.getFactoryPids()).contains(pid)) {
                return Optional.ofNullable(information.getObjectClassDefinition(pid, null));
            }
        }
        return Optional.empty();
    }
}
