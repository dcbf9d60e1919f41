package dev.faultline.console.internal.metrics;

import dev.faultline.console.internal.state.Observer;
import java.io.IOException;
import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code GET /metrics} on the HTTP Whiteboard: the {@link MetricsText} of a fresh observation, in OpenMetrics when
 * the {@code Accept} header asks for it, else in the Prometheus text format. Read only; any other method is
 * refused with 405.
 */
@Component(service = Servlet.class, property = {
    "osgi.http.whiteboard.servlet.pattern=" + MetricsServlet.PATH,
    "osgi.http.whiteboard.servlet.name=faultline-metrics"})
public final class MetricsServlet extends HttpServlet {
    /** Where the metrics are served. */
    public static final String PATH = "/metrics";

    private static final long serialVersionUID = 1L;

    private final transient Observer observer;

    /** The component. */
    @Activate
    public MetricsServlet(@Reference Observer observer) {
        this.observer = observer;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        boolean openMetrics = MetricsText.wantsOpenMetrics(request.getHeader("Accept"));
        String text = MetricsText.render(observer.observe(), openMetrics);
        response.setContentType(openMetrics ? MetricsText.OPENMETRICS_TYPE : MetricsText.PROMETHEUS_TYPE);
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().write(text);
    }
}
