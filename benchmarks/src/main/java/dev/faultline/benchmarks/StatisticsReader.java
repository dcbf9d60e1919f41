package dev.faultline.benchmarks;

import dev.faultline.api.stats.FaultStatistics;
import dev.faultline.console.internal.jmx.JmxConfiguration;
import dev.faultline.console.internal.jmx.JmxExporter;
import dev.faultline.console.internal.metrics.MetricsText;
import dev.faultline.console.internal.state.Observer;
import dev.faultline.core.log.LogSink;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Proxy;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.management.JMException;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * A monitor that reads the core's statistics in a loop (back to back, or paced), as one of the console's readers
 * does: the metrics endpoint (the whole OpenMetrics text: totals, every device, every handler) or a JMX client (every
 * attribute of every {@code dev.faultline} MBean, through the platform MBean server, the MBeans registered by the
 * console's own {@link JmxExporter}).
 */
final class StatisticsReader {
    /** What reads. */
    enum Scraper {
        /** Nobody: the baseline. */
        NONE,
        /** The metrics endpoint's text. */
        METRICS,
        /** A JMX client reading every attribute. */
        JMX,
        /**
         * The metrics endpoint's text once a millisecond: a thousand scrapes a second, where a Prometheus server
         * scrapes every 15 s and the console's live page polls once a second.
         */
        PACED;

        static Scraper of(String name) {
            return valueOf(name.toUpperCase(Locale.ROOT));
        }
    }

    private final Thread thread;
    private final JmxExporter exporter;
    private volatile boolean running = true;
    private volatile long reads;
    private volatile long lastSize;

    private StatisticsReader(FaultStatistics statistics, Scraper scraper) throws JMException {
        Observer observer = new Observer(statistics, null);
        Runnable read;
        if (scraper == Scraper.JMX) {
            exporter = new JmxExporter(observer, LogSink.NONE, configuration());
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName all = new ObjectName(JmxExporter.DOMAIN + ":*");
            read = () -> lastSize = readAll(server, server.queryNames(all, null));
        } else {
            exporter = null;
            read = () -> lastSize = MetricsText.render(observer.observe(), true).length();
        }
        long pause = scraper == Scraper.PACED ? TimeUnit.MILLISECONDS.toNanos(1) : 0;
        thread = new Thread(() -> {
            while (running) {
                read.run();
                reads++;
                if (pause > 0) {
                    LockSupport.parkNanos(pause);
                }
            }
        }, "statistics-reader");
        thread.setDaemon(true);
    }

    /** Starts reading, or returns {@code null} for {@link Scraper#NONE}. */
    static StatisticsReader start(FaultStatistics statistics, Scraper scraper) throws JMException {
        if (scraper == Scraper.NONE) {
            return null;
        }
        StatisticsReader reader = new StatisticsReader(statistics, scraper);
        reader.thread.start();
        return reader;
    }

    /** Reads since the start. */
    long reads() {
        return reads;
    }

    /** Stops reading; fails if the reader never read anything. */
    void stop() throws InterruptedException {
        running = false;
        thread.join(TimeUnit.SECONDS.toMillis(10));
        if (exporter != null) {
            exporter.deactivate();
        }
        if (reads == 0 || lastSize == 0) {
            throw new IllegalStateException("the statistics reader never read");
        }
    }

    private static long readAll(MBeanServer server, Set<ObjectName> names) {
        long values = 0;
        for (ObjectName name : names) {
            try {
                for (MBeanAttributeInfo attribute : server.getMBeanInfo(name).getAttributes()) {
                    if (server.getAttribute(name, attribute.getName()) != null) {
                        values++;
                    }
                }
            } catch (JMException e) {
                // an MBean that went away between the query and the read: the next read lists it no more
            }
        }
        return values;
    }

    private static JmxConfiguration configuration() {
        return (JmxConfiguration) Proxy.newProxyInstance(StatisticsReader.class.getClassLoader(),
                new Class<?>[] {JmxConfiguration.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "enabled" -> true;
                    case "refresh_ms" -> 100L;
                    case "annotationType" -> JmxConfiguration.class;
                    default -> method.getDefaultValue();
                });
    }
}
