package dev.faultline.itests.console;

import dev.faultline.itests.Services;
import java.util.concurrent.atomic.AtomicReference;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/** The base URL of the framework's HTTP service, from its runtime's {@code osgi.http.endpoint} property. */
final class HttpEndpoint {
    private static final String RUNTIME = "org.osgi.service.http.runtime.HttpServiceRuntime";

    private HttpEndpoint() {
    }

    /** For example {@code http://127.0.0.1:40123/}, waiting for the HTTP service to start. */
    static String of(BundleContext context) {
        AtomicReference<String> endpoint = new AtomicReference<>();
        Services.await(() -> {
            try {
                ServiceReference<?>[] refs = context.getServiceReferences(RUNTIME, null);
                if (refs == null) {
                    return false;
                }
                Object value = refs[0].getProperty("osgi.http.endpoint");
                String first = value instanceof String[] list && list.length > 0 ? list[0]
                        : value instanceof String text ? text : null;
                if (first == null || first.contains(":0/")) {
                    return false;
                }
                endpoint.set(first.endsWith("/") ? first : first + "/");
                return true;
            } catch (InvalidSyntaxException e) {
                throw new IllegalStateException(e);
            }
        });
        return endpoint.get();
    }
}
