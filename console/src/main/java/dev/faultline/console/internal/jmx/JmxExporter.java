package dev.faultline.console.internal.jmx;

import dev.faultline.api.stats.DeviceStatus;
import dev.faultline.api.stats.FaultStatistics;
import dev.faultline.api.stats.HandlerStatus;
import dev.faultline.api.stats.IommuStatus;
import dev.faultline.console.internal.state.GuestView;
import dev.faultline.console.internal.state.Observer;
import dev.faultline.core.control.HandlerControl;
import dev.faultline.core.log.LogSink;
import dev.faultline.core.log.OsgiLogSink;
import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.MBeanRegistrationException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.NotCompliantMBeanException;
import javax.management.ObjectName;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Registers the Faultline MBeans in the platform MBean server, so JConsole, VisualVM, Mission Control or
 * {@code jcmd} attached to the JVM see them: {@code dev.faultline:type=Core}, one {@code type=Device} per device,
 * one {@code type=Iommu} per IOMMU, one {@code type=Handler} per handler registration and one {@code type=Guest} per open guest. A thread of its own
 * ({@code faultline-jmx}) adds and removes device, handler and guest MBeans as they come and go; every attribute
 * read is a fresh read of the statistics. Remote JMX is not opened here: it stays as the JVM was started.
 */
@Component(configurationPid = JmxExporter.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = JmxConfiguration.class)
public final class JmxExporter {
    /** The configuration PID. */
    public static final String PID = "dev.faultline.console.jmx";
    /** The domain of every Faultline MBean. */
    public static final String DOMAIN = "dev.faultline";

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final Observer observer;
    private final LogSink log;
    private final Map<ObjectName, Object> registered = new HashMap<>();
    private final Set<ObjectName> foreign = new HashSet<>();
    private final ScheduledExecutorService refresher;

    /** The core's handler controls, for the handler MBeans' {@code release} operation. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile HandlerControl control;

    /** The component. */
    @Activate
    public JmxExporter(@Reference Observer observer,
            @Reference(service = LoggerFactory.class) Logger log, JmxConfiguration configuration) {
        this(observer, new OsgiLogSink(log), configuration);
    }

    /** An exporter whose warnings go to {@code log} (outside a framework: the benchmarks' scraper). */
    public JmxExporter(Observer observer, LogSink log, JmxConfiguration configuration) {
        this.observer = observer;
        this.log = log;
        if (!configuration.enabled()) {
            refresher = null;
            return;
        }
        register(name("type=Core"), () -> new CoreBean(observer.statistics()));
        refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "faultline-jmx");
            thread.setDaemon(true);
            return thread;
        });
        long period = Math.max(100, configuration.refresh_ms());
        refresher.scheduleWithFixedDelay(this::refresh, 0, period, TimeUnit.MILLISECONDS);
    }

    /** Unregisters every MBean. */
    @Deactivate
    public void deactivate() throws InterruptedException {
        if (refresher != null) {
            refresher.shutdownNow();
            refresher.awaitTermination(5, TimeUnit.SECONDS);
        }
        synchronized (registered) {
            for (ObjectName name : registered.keySet()) {
                unregister(name);
            }
            registered.clear();
        }
    }

    /** Brings the device, handler and guest MBeans in line with the core and the guests. */
    void refresh() {
        try {
            FaultStatistics statistics = observer.statistics();
            Set<ObjectName> wanted = new HashSet<>();
            wanted.add(name("type=Core"));
            for (DeviceStatus device : statistics.devices()) {
                ObjectName name = name("type=Device,name=" + ObjectName.quote(device.device()));
                if (wanted.add(name)) {
                    register(name, () -> new DeviceBean(statistics, device.device(), device.iommu()));
                }
            }
            for (HandlerStatus handler : statistics.handlers()) {
                ObjectName name = name("type=Handler,name=" + ObjectName.quote(handler.name()) + ",id="
                        + handler.serviceId());
                wanted.add(name);
                register(name, () -> new HandlerBean(statistics, handler, () -> control));
            }
            for (IommuStatus iommu : statistics.iommus()) {
                ObjectName name = name("type=Iommu,name=" + ObjectName.quote(iommu.name()));
                wanted.add(name);
                register(name, () -> new IommuBean(statistics, iommu.name()));
            }
            for (GuestView guest : observer.guests()) {
                ObjectName name = name("type=Guest,name=" + ObjectName.quote(guest.name()));
                wanted.add(name);
                register(name, () -> new GuestBean(observer, guest.name(), guest.limits()));
            }
            synchronized (registered) {
                registered.keySet().removeIf(name -> {
                    if (wanted.contains(name)) {
                        return false;
                    }
                    unregister(name);
                    return true;
                });
            }
        } catch (RuntimeException e) {
            log.warn("updating the Faultline MBeans failed: " + e);
        }
    }

    private void register(ObjectName name, Supplier<Object> bean) {
        synchronized (registered) {
            if (registered.containsKey(name)) {
                return;
            }
            Object mbean = bean.get();
            try {
                server.registerMBean(mbean, name);
                registered.put(name, mbean);
            } catch (InstanceAlreadyExistsException e) {
                if (foreign.add(name)) {
                    log.warn("MBean " + name + " is registered by someone else; not replaced");
                }
            } catch (MBeanRegistrationException | NotCompliantMBeanException e) {
                log.warn("cannot register MBean " + name + ": " + e);
            }
        }
    }

    private void unregister(ObjectName name) {
        try {
            server.unregisterMBean(name);
        } catch (InstanceNotFoundException e) {
            // already gone (unregistered by its owner); nothing to undo
        } catch (MBeanRegistrationException e) {
            log.warn("cannot unregister MBean " + name + ": " + e);
        }
    }

    private static ObjectName name(String properties) {
        try {
            return new ObjectName(DOMAIN + ":" + properties);
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException("bad MBean name " + properties, e);
        }
    }
}
