package dev.faultline.itests.deploy.handler;

import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.FaultGroup;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.handler.HandlerProperties;
import java.util.Hashtable;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/**
 * The activator of the handler bundle {@code DeployAndLoadOSGiTest} builds from this package's class files and
 * drops into the deploy directory: it registers a {@link FaultHandler} for the domain its manifest names
 * ({@value #DOMAIN}) answering every page request group with the code its manifest names ({@value #ANSWER}). Two
 * versions of the bundle differ only in their manifest.
 */
public final class DeployedHandlerActivator implements BundleActivator {
    /** Manifest header: the domain served. */
    public static final String DOMAIN = "Faultline-Test-Domain";
    /** Manifest header: {@code SUCCESS}, {@code INVALID} or {@code FAILURE}. */
    public static final String ANSWER = "Faultline-Test-Answer";

    @Override
    public void start(BundleContext context) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(HandlerProperties.DOMAIN, context.getBundle().getHeaders().get(DOMAIN));
        ResponseCode code = ResponseCode.valueOf(context.getBundle().getHeaders().get(ANSWER));
        context.registerService(FaultHandler.class, new Answering(code), props);
    }

    @Override
    public void stop(BundleContext context) {
        // the framework unregisters the handler; the core hands its target over to the next version
    }

    /** Answers every recoverable group with one code. */
    private static final class Answering implements FaultHandler {
        private final ResponseCode code;

        Answering(ResponseCode code) {
            this.code = code;
        }

        @Override
        public void handle(FaultGroup group) {
            if (group.recoverable()) {
                group.respond(code);
            }
        }
    }
}
