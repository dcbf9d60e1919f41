package dev.faultline.soak.handlerbundle;

import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.FaultGroup;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.handler.HandlerProperties;
import java.util.Hashtable;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/**
 * The activator of the driver bundle {@code HandlerBundleHotSwapTest} builds from this package's class files: it
 * registers a {@link FaultHandler} for the devices its manifest names ({@value #DEVICES}) that either answers
 * every group with the code its manifest names ({@value #ANSWER}) or, with {@code HOLD}, defers every group and
 * never answers it. Two versions of the bundle differ only in their manifest.
 */
public final class AnsweringHandlerActivator implements BundleActivator {
    /** Manifest header: comma-separated device ids. */
    public static final String DEVICES = "Faultline-Test-Devices";
    /** Manifest header: {@code SUCCESS}, {@code INVALID}, {@code FAILURE} or {@code HOLD}. */
    public static final String ANSWER = "Faultline-Test-Answer";

    @Override
    public void start(BundleContext context) {
        String answer = context.getBundle().getHeaders().get(ANSWER);
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(HandlerProperties.DEVICE, context.getBundle().getHeaders().get(DEVICES).split(","));
        context.registerService(FaultHandler.class,
                new Answering("HOLD".equals(answer) ? null : ResponseCode.valueOf(answer)), props);
    }

    @Override
    public void stop(BundleContext context) {
        // the framework unregisters the handler; the core then answers its pending groups
    }

    /** Answers with one code, or holds every group when the code is null. */
    private static final class Answering implements FaultHandler {
        private final ResponseCode code;

        Answering(ResponseCode code) {
            this.code = code;
        }

        @Override
        public void handle(FaultGroup group) {
            if (!group.recoverable()) {
                return;
            }
            if (code == null) {
                group.defer();
            } else {
                group.respond(code);
            }
        }
    }
}
