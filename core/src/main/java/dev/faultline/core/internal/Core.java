package dev.faultline.core.internal;

import dev.faultline.api.backend.FaultPipeline;
import dev.faultline.api.backend.FaultQueue;
import dev.faultline.api.backend.IommuBackend;
import dev.faultline.api.backend.IommuPort;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.stats.AnswerLatency;
import dev.faultline.api.stats.DeviceStatus;
import dev.faultline.api.stats.FaultCounts;
import dev.faultline.api.stats.FaultStatistics;
import dev.faultline.api.stats.HandlerStatus;
import dev.faultline.api.stats.IommuStatus;
import dev.faultline.api.stats.PendingGroup;
import dev.faultline.core.control.HandlerControl;
import dev.faultline.core.internal.answer.HeldGroup;
import dev.faultline.core.internal.answer.InlineGroup;
import dev.faultline.core.internal.answer.InlineSlots;
import dev.faultline.core.internal.configure.HandlerPolicy;
import dev.faultline.core.internal.configure.Settings;
import dev.faultline.core.internal.count.Counters;
import dev.faultline.core.internal.count.AnswerTimer;
import dev.faultline.core.internal.count.IommuOverflows;
import dev.faultline.core.internal.dispatch.GroupDispatcher;
import dev.faultline.core.internal.dispatch.Handler;
import dev.faultline.core.internal.dispatch.HandlerQueue;
import dev.faultline.core.internal.dispatch.Quarantine;
import dev.faultline.core.internal.dispatch.SpinBudget;
import dev.faultline.core.internal.group.PartialBudget;
import dev.faultline.core.internal.hold.DeadlineWatchdog;
import dev.faultline.core.internal.hold.Handover;
import dev.faultline.core.internal.hold.ResponseLedger;
import dev.faultline.core.internal.hold.Ticker;
import dev.faultline.core.internal.log.HostLog;
import dev.faultline.core.internal.report.DeviceState;
import dev.faultline.core.internal.report.Devices;
import dev.faultline.core.internal.report.FaultPath;
import dev.faultline.core.internal.report.IommuConnection;
import dev.faultline.core.internal.report.OpenGroups;
import dev.faultline.core.internal.report.ReportClock;
import dev.faultline.core.internal.route.HandlerIndex;
import dev.faultline.core.internal.route.HandlerRegistration;
import dev.faultline.core.log.LogSink;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The fault pipeline as a plain object: the facade that connects IOMMUs, takes handler registrations and answers
 * the statistics. It builds the steps once, in order, each with the collaborators it uses; the fault path never
 * comes back here. The DS component {@link CoreComponent} wraps one, {@code StandaloneCore} starts one, tests build
 * one directly with their own ticker and log.
 *
 * <p><b>Size.</b> Its size is the three services it implements (FaultPipeline, FaultStatistics, HandlerControl), each
 * method a short entry into the steps; the steps are their own classes.
 */
public final class Core implements FaultPipeline, FaultStatistics, HandlerControl, AutoCloseable {
    private final Ticker ticker;
    private final ReportClock clock;
    private final HostLog log;
    private final HandlerIndex index;
    private final Quarantine quarantine;
    private final ResponseLedger ledger;
    private final GroupDispatcher dispatcher;
    private final InlineSlots slots;
    private final DeadlineWatchdog watchdog;
    private final PartialBudget partialBudget;
    private final AnswerTimer timer;
    private final OpenGroups open;
    private final Devices devices;
    private final Map<String, IommuConnection> iommus = new ConcurrentHashMap<>();
    /** Each IOMMU ever connected, by name, with its reported overflows. */
    private final Map<String, IommuOverflows> overflows = new ConcurrentHashMap<>();
    private final Map<Long, Handler> handlers = new ConcurrentHashMap<>();
    /** Departed handlers whose clean-up window has not ended yet. */
    private final Queue<Handler> departing = new ConcurrentLinkedQueue<>();
    private final AtomicLong anonymousIds = new AtomicLong();
    /** How many queued handlers' threads may spin at once when idle. */
    private final SpinBudget spins = SpinBudget.ofProcessors();
    /** The settings the steps read ({@code Supplier}s of this field), replaced as a whole by {@link #reconfigure}. */
    private volatile Settings settings;
    private volatile HandlerPolicy policy;
    private volatile boolean closed;
    /** Told of each group queued for a queued handler when no thread of the handler's own serves it, else null. */
    private volatile @Nullable Consumer<HandlerQueue> queueServer;

    /**
     * A pipeline; {@code watchdogThread} starts the deadline thread (tests leave it off and call
     * {@link #expireDeadlines()} and {@link #scanForBlockedHandlers()}).
     */
    Core(Settings settings, Ticker ticker, LogSink sink, boolean watchdogThread) {
        this(settings, HandlerPolicy.DEFAULTS, ticker, sink, watchdogThread);
    }

    /**
     * A pipeline with its handler rules. The steps read the settings and rules through suppliers of this core's
     * fields, so a configuration change ({@link #reconfigure}) reaches them at their next read.
     */
    Core(Settings settings, HandlerPolicy policy, Ticker ticker, LogSink sink, boolean watchdogThread) {
        this.settings = settings;
        this.policy = policy;
        Supplier<Settings> currentSettings = () -> this.settings;
        Supplier<HandlerPolicy> currentPolicy = () -> this.policy;
        this.ticker = ticker;
        this.clock = new ReportClock(ticker, settings.preciseTimestamps());
        this.log = new HostLog(sink, currentSettings, ticker);
        this.index = new HandlerIndex(currentPolicy, ticker, log);
        this.partialBudget = new PartialBudget(settings.partialsPerDevice(), settings.partialsTotal());
        this.quarantine = new Quarantine(currentSettings, currentPolicy, ticker, index, log);
        this.ledger = new ResponseLedger(currentSettings, ticker, quarantine, log);
        this.dispatcher = new GroupDispatcher(currentSettings, currentPolicy, ledger, quarantine, log, index);
        this.slots = new InlineSlots(dispatcher);
        this.timer = new AnswerTimer(ticker);
        this.open = new OpenGroups(slots, ledger);
        this.devices = new Devices(new FaultPath(clock, slots, dispatcher, timer, log), index, partialBudget, open);
        this.watchdog = new DeadlineWatchdog(ticker, ledger, this::scan, settings.inlineBlockNanos() / 2);
        if (watchdogThread) {
            watchdog.start();
            clock.start();
        }
    }

    /**
     * A running core outside a framework (its threads started): {@code settings} are validated as Config Admin values
     * are (a bad value falls back to its default, the problem goes to {@code log}, as every host log line does), and
     * every handler is the embedder's own ({@link HandlerPolicy#standalone()}).
     */
    public static Core standalone(Settings settings, LogSink log) {
        Settings valid = Settings.validated(settings, log::error);
        return new Core(valid, HandlerPolicy.standalone(), Ticker.SYSTEM, log, true);
    }

    /**
     * A core outside a framework driven by its caller (no thread started): time read from {@code ticker}, settings
     * validated as {@link #standalone} does, each group queued for a queued handler handed to {@code server}; the
     * caller runs {@link #expireDeadlines()} and {@link #scanForBlockedHandlers()} where the watchdog thread would.
     */
    public static Core stepped(Settings settings, Ticker ticker, LogSink log, Consumer<HandlerQueue> server) {
        Settings valid = Settings.validated(settings, log::error);
        Core core = new Core(valid, HandlerPolicy.standalone(), ticker, log, false);
        core.serveQueuesBy(server);
        return core;
    }

    /**
     * Queued handlers registered from now on get no thread of their own: {@code server} is told of each group
     * queued and serves it with {@link HandlerQueue#serveOne()} (a deterministic simulation's scheduler, which
     * also drives the watchdog through {@link #expireDeadlines()} and {@link #scanForBlockedHandlers()}).
     */
    void serveQueuesBy(Consumer<HandlerQueue> server) {
        queueServer = Objects.requireNonNull(server, "server");
    }

    /** The settings now (for the simulation's deliberately broken watchdog scan). */
    Settings settings() {
        return settings;
    }

    /** The core's time (for the simulation's deliberately broken watchdog scan). */
    Ticker ticker() {
        return ticker;
    }

    /** The reporting threads' slots (for the simulation's deliberately broken watchdog scan). */
    InlineSlots slots() {
        return slots;
    }

    /** Partial requests parked over all devices (the total bound's budget in use). */
    int partialsParked() {
        return partialBudget.parked();
    }

    /** Applies new settings; queue depths apply to handlers registered afterwards. */
    void reconfigure(Settings newSettings) {
        reconfigure(newSettings, policy);
    }

    /** Applies new settings and handler rules. */
    void reconfigure(Settings newSettings, HandlerPolicy newPolicy) {
        settings = newSettings;
        policy = newPolicy;
        index.reconsider();
        clock.setPrecise(newSettings.preciseTimestamps());
        partialBudget.setLimits(newSettings.partialsPerDevice(), newSettings.partialsTotal());
        watchdog.setScanPeriodNanos(newSettings.inlineBlockNanos() / 2);
        devices.resetLogLimiters();
    }

    /** Logs a configuration problem (the value was replaced by its default). */
    void configurationProblem(String problem) {
        log.configurationProblem(problem);
    }

    @Override
    public IommuPort connect(IommuBackend backend) {
        Objects.requireNonNull(backend, "backend");
        if (closed) {
            throw new IllegalStateException("the fault pipeline is stopped");
        }
        String name = backend.name();
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("an IOMMU backend needs a name");
        }
        IommuOverflows counted = overflows.computeIfAbsent(name, k -> new IommuOverflows());
        IommuConnection c = new IommuConnection(backend, name, devices, counted, closed -> iommus.remove(name, closed));
        if (iommus.putIfAbsent(name, c) != null) {
            throw new IllegalStateException("an IOMMU named " + name + " is already connected");
        }
        return c;
    }

    // ---- handlers (whiteboard) ----

    /** A handler service arrived. Returns its service id, the key for {@link #updateHandler} and {@link #removeHandler}. */
    public long addHandler(FaultHandler handler, Map<String, ?> properties, String bundle) {
        HandlerRegistration r = HandlerRegistration.read(properties, bundle, handler.getClass().getName());
        if (r.serviceId() < 0) {
            r = r.withServiceId(-1 - anonymousIds.getAndIncrement());
        }
        Handler proxy = new Handler(handler, r, log.newLimiter());
        if (r.queued() && !r.refused()) {
            HandlerQueue q = new HandlerQueue(r.name(), settings.queueDepth(),
                    (g, generation) -> dispatcher.runQueued(proxy, g, generation), queueServer, spins);
            proxy.useQueue(q);
            q.start();
        }
        handlers.put(r.serviceId(), proxy);
        index.add(proxy);
        endHandovers();
        return r.serviceId();
    }

    /** A handler's service properties changed: re-routes it; a changed dispatch mode needs a new registration. */
    void updateHandler(long serviceId, Map<String, ?> properties, String bundle) {
        Handler proxy = handlers.get(serviceId);
        if (proxy == null) {
            return;
        }
        HandlerRegistration r = HandlerRegistration.read(properties, bundle, proxy.service.getClass().getName())
                .withServiceId(serviceId);
        if (!r.refused() && r.queued() != proxy.queued()) {
            log.registrationProblem(r, "faultline.dispatch changes only when the handler registers again; keeping "
                    + (proxy.queued() ? "queued" : "inline"));
        }
        index.update(proxy, r);
        endHandovers();
    }

    /**
     * A handler service left (for a DS component: its service is unregistered before its {@code @Deactivate}
     * runs). In this order:
     * <ol>
     *   <li>it is never entered again: faults routed to it from now on go to another handler of its target or wait
     *       for its replacement (hand-over window);</li>
     *   <li>calls of it in progress on other threads are waited for, at most its deadline;</li>
     *   <li>groups waiting unseen in its queue are routed again (to its replacement);</li>
     *   <li>its held (deferred) groups stay its own for the clean-up window ({@code cleanup.window.ms}): its clean-up
     *       may answer them or hand them back, as first answers; what is left when the window ends is answered
     *       INVALID by the core.</li>
     * </ol>
     */
    public void removeHandler(long serviceId) {
        Handler proxy = handlers.remove(serviceId);
        if (proxy == null) {
            return;
        }
        index.remove(proxy);
        if (!proxy.depart()) {
            return;
        }
        endHandovers();
        awaitCallsOf(proxy);
        if (proxy.queued()) {
            proxy.queue().stop().forEach(dispatcher::routeLeftInQueue);
        }
        long cleanup = policy.cleanupNanos();
        proxy.cleanupEndsAt(ticker.nanoTime() + cleanup);
        if (cleanup == 0) {
            endCleanup(proxy);
        } else {
            departing.add(proxy);
        }
    }

    /**
     * Waits until no call of {@code proxy} runs on another thread, at most its deadline (a call that blocks longer
     * is left to the handler; its group is answered on its behalf at the deadline).
     */
    private void awaitCallsOf(Handler proxy) {
        if (!callsElsewhere(proxy)) {
            return; // nothing to wait for (and no clock to read: a simulation runs every call on one thread)
        }
        // real time: this thread really waits
        long limit = System.nanoTime() + ledger.callWaitNanos(proxy);
        while (callsElsewhere(proxy) && System.nanoTime() - limit < 0) {
            LockSupport.parkNanos(50_000);
        }
    }

    /**
     * Whether a call of {@code proxy} runs on another thread: an inline call announced in a listed slot
     * ({@link InlineGroup#enterCall}), or one counted by {@link Handler#enter()} (queued calls and nested
     * reports) beyond the queue worker this thread may be (a handler that unregisters itself from its call).
     */
    private boolean callsElsewhere(Handler proxy) {
        Thread me = Thread.currentThread();
        boolean[] elsewhere = {false};
        slots.forEach(s -> {
            if (s.owner != me && s.calling() == proxy) {
                elsewhere[0] = true;
            }
        });
        int mine = proxy.queued() && proxy.queue().isWorker(me) ? 1 : 0;
        return elsewhere[0] || proxy.inFlight() > mine;
    }

    /** The departed handler's clean-up window ended: the core answers what it left INVALID. */
    private void endCleanup(Handler proxy) {
        ledger.answerLeftBy(proxy);
    }

    /** Ends the clean-up windows and hand-overs that are over at {@code now}. */
    private void endDepartures(long now) {
        for (Handler p : departing) {
            if (now - p.cleanupEndsAt() >= 0 && departing.remove(p)) {
                endCleanup(p);
            }
        }
        index.expireHandovers(now);
        endHandovers();
    }

    /** Routes the groups of hand-overs that ended (a replacement came, or the window passed). */
    private void endHandovers() {
        for (Handover h : index.takeEnded()) {
            dispatcher.handoverEnded(h);
        }
    }

    /** The watchdog's periodic work: blocked inline calls, ended departures and hand-overs, lapsed claims. */
    private void scan(long now) {
        dispatcher.scanSlow(slots, now);
        quarantine.releaseAfterBackoff(handlers.values(), now);
        endDepartures(now);
        index.reconsider();
    }

    @Override
    public List<HandlerStatus> release(String handler) {
        List<Long> released = new ArrayList<>();
        for (Handler h : handlers.values()) {
            HandlerRegistration r = h.registration();
            if ((handler.equals(r.name()) || handler.equals(Long.toString(r.serviceId()))) && h.release(false)) {
                log.released(h, false);
                released.add(r.serviceId());
            }
        }
        if (!released.isEmpty()) {
            index.refresh();
        }
        return handlers().stream().filter(s -> released.contains(s.serviceId())).toList();
    }

    /** Releases quarantines whose back-off is over (the watchdog thread does this by itself). */
    void releaseQuarantines() {
        quarantine.releaseAfterBackoff(handlers.values(), ticker.nanoTime());
    }

    // ---- deadlines ----

    /** Answers the held groups whose deadline has passed (the watchdog thread does this by itself). */
    public int expireDeadlines() {
        long now = ticker.nanoTime();
        int n = ledger.expireDue(now);
        endDepartures(now);
        return n;
    }

    /** Held groups that were one-off copies because their reporting thread's held-group slots were all in use. */
    long heldOneOffCopies() {
        return ledger.oneOffCopies();
    }

    /** Looks for inline handler calls that block (the watchdog thread does this by itself). */
    public void scanForBlockedHandlers() {
        scan(ticker.nanoTime());
    }

    /** Stops: disconnects every IOMMU (answering their pending groups), stops handler threads and the watchdog. */
    @Override
    public void close() {
        closed = true;
        for (IommuConnection c : new ArrayList<>(iommus.values())) {
            c.close();
        }
        // every handler departs at once: no hand-over window (no device is left), the routes rebuilt once
        index.removeAll();
        endHandovers();
        for (Long id : new ArrayList<>(handlers.keySet())) {
            removeHandler(id);
        }
        for (Handler p : departing) {
            endCleanup(p);
        }
        departing.clear();
        watchdog.stop();
        clock.stop();
    }

    // ---- statistics ----

    @Override
    public FaultCounts totals() {
        List<FaultCounts> all = new ArrayList<>();
        all.add(devices.retired());
        for (DeviceStatus d : devices()) {
            all.add(d.counts());
        }
        return Counters.sum(all);
    }

    @Override
    public List<DeviceStatus> devices() {
        List<DeviceStatus> out = new ArrayList<>();
        for (DeviceState d : devices.present()) {
            out.add(new DeviceStatus(d.id().toString(), d.iommu().name(), true, d.parkedPartials(), open.countsOf(d)));
        }
        for (DeviceState d : devices.removed()) {
            out.add(new DeviceStatus(d.id().toString(), d.iommu().name(), false, d.parkedPartials(),
                    open.countsOf(d)));
        }
        return out;
    }

    @Override
    public List<HandlerStatus> handlers() {
        List<HandlerStatus> out = new ArrayList<>();
        for (Handler h : index.handlers()) {
            HandlerRegistration r = h.registration();
            out.add(HandlerStatus.builder().name(r.name()).bundle(r.bundle()).serviceId(r.serviceId())
                    .ranking(r.ranking()).domains(r.domains())
                    .devices(r.devices().stream().map(DeviceId::toString).toList()).pasids(r.pasids())
                    .dispatch(h.queued() ? "queued" : "inline")
                    .timeoutMillis(r.noDeadline() ? r.timeoutMillis() : h.timeoutNanos(settings) / 1_000_000)
                    .state(h.publicState()).counts(open.countsOf(h)).reason(h.reason()).standing(index.standing(h))
                    .handedOver(h.handedOver()).answerLatency(h.latency.snapshot()).build());
        }
        return out;
    }

    @Override
    public List<IommuStatus> iommus() {
        List<IommuStatus> out = new ArrayList<>();
        for (Map.Entry<String, IommuOverflows> e : new TreeMap<>(overflows).entrySet()) {
            IommuConnection c = iommus.get(e.getKey());
            out.add(IommuStatus.builder().name(e.getKey()).connected(c != null)
                    .devices(c == null ? 0 : c.devices().size()).faultRecordOverflows(e.getValue().faultRecords())
                    .pageRequestOverflows(e.getValue().pageRequests()).build());
        }
        return out;
    }

    @Override
    public AnswerLatency answerLatency() {
        return timer.snapshot();
    }

    @Override
    public List<PendingGroup> pending() {
        long now = ticker.nanoTime();
        List<PendingGroup> out = ledger.pending(now);
        out.sort((a, b) -> Long.compare(b.ageNanos(), a.ageNanos()));
        return out;
    }
}
