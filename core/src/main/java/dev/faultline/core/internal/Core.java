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
import dev.faultline.core.internal.answer.GroupFilter;
import dev.faultline.core.internal.answer.HeldGroup;
import dev.faultline.core.internal.answer.InlineGroup;
import dev.faultline.core.internal.answer.InlineSlots;
import dev.faultline.core.internal.configure.HandlerPolicy;
import dev.faultline.core.internal.configure.Settings;
import dev.faultline.core.internal.count.Counter;
import dev.faultline.core.internal.count.Counters;
import dev.faultline.core.internal.count.IommuOverflows;
import dev.faultline.core.internal.count.LatencyHistogram;
import dev.faultline.core.internal.dispatch.GroupDispatcher;
import dev.faultline.core.internal.dispatch.Handler;
import dev.faultline.core.internal.dispatch.HandlerQueue;
import dev.faultline.core.internal.dispatch.Quarantine;
import dev.faultline.core.internal.group.PartialBudget;
import dev.faultline.core.internal.hold.DeadlineWatchdog;
import dev.faultline.core.internal.hold.Handover;
import dev.faultline.core.internal.hold.ResponseLedger;
import dev.faultline.core.internal.hold.Ticker;
import dev.faultline.core.internal.log.HostLog;
import dev.faultline.core.internal.report.CarriedAttachments;
import dev.faultline.core.internal.report.CarriedDevice;
import dev.faultline.core.internal.report.DeviceState;
import dev.faultline.core.internal.report.IommuConnection;
import dev.faultline.core.internal.report.ReportClock;
import dev.faultline.core.internal.route.HandlerIndex;
import dev.faultline.core.internal.route.HandlerRegistration;
import dev.faultline.core.log.LogSink;
import dev.faultline.core.log.RateLimiter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The fault pipeline as a plain object: connects IOMMUs, indexes handlers, keeps the statistics. The DS
 * component {@link CoreComponent} wraps one; tests build one directly with their own ticker and log.
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
    private final Map<String, IommuConnection> iommus = new ConcurrentHashMap<>();
    /** Each IOMMU ever connected, by name, with its reported overflows. */
    private final Map<String, IommuOverflows> overflows = new ConcurrentHashMap<>();
    /** The answer latency of every device's timed groups. */
    public final LatencyHistogram latency = new LatencyHistogram();
    private final Map<String, Map<DeviceId, CarriedDevice>> carried = new ConcurrentHashMap<>();
    private final Map<DeviceId, DeviceState> present = new ConcurrentHashMap<>();
    /** Removed devices whose counters are still listed; older ones are folded into {@link #retired}. */
    private final Queue<DeviceState> removed = new ConcurrentLinkedQueue<>();
    private FaultCounts retired = Counters.sum(List.of());
    private final Map<Long, Handler> handlers = new ConcurrentHashMap<>();
    /** Departed handlers whose clean-up window has not ended yet. */
    private final Queue<Handler> departing = new ConcurrentLinkedQueue<>();
    private final AtomicLong anonymousIds = new AtomicLong();
    private static final int LISTED_REMOVED_DEVICES = 64;
    private volatile Settings settings;
    private volatile HandlerPolicy policy;
    private volatile boolean closed;
    /** Told of each group queued for a queued handler when no thread of the handler's own serves it, else null. */
    private volatile Consumer<HandlerQueue> queueServer;

    /**
     * A pipeline; {@code watchdogThread} starts the deadline thread (tests leave it off and call
     * {@link #expireDeadlines()} and {@link #scanForBlockedHandlers()}).
     */
    Core(Settings settings, Ticker ticker, LogSink sink, boolean watchdogThread) {
        this(settings, HandlerPolicy.DEFAULTS, ticker, sink, watchdogThread);
    }

    /** A pipeline with its handler rules. */
    Core(Settings settings, HandlerPolicy policy, Ticker ticker, LogSink sink, boolean watchdogThread) {
        this.settings = settings;
        this.policy = policy;
        this.ticker = ticker;
        this.clock = new ReportClock(ticker, settings.preciseTimestamps());
        this.log = new HostLog(sink);
        this.index = new HandlerIndex(this::policy, ticker, log);
        this.partialBudget = new PartialBudget(settings.partialsTotal());
        this.quarantine = new Quarantine(this::settings, this::policy, ticker, index, log);
        this.ledger = new ResponseLedger(this::settings, ticker, quarantine, log);
        this.dispatcher = new GroupDispatcher(this::settings, this::policy, ledger, quarantine, log, index);
        this.slots = new InlineSlots(dispatcher);
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

    public Settings settings() {
        return settings;
    }

    /**
     * Queued handlers registered from now on get no thread of their own: {@code server} is told of each group
     * queued and serves it with {@link HandlerQueue#serveOne()} (a deterministic simulation's scheduler, which
     * also drives the watchdog through {@link #expireDeadlines()} and {@link #scanForBlockedHandlers()}).
     */
    void serveQueuesBy(Consumer<HandlerQueue> server) {
        queueServer = Objects.requireNonNull(server, "server");
    }

    HandlerPolicy policy() {
        return policy;
    }

    public Ticker ticker() {
        return ticker;
    }

    /** The stamp of reports ({@link dev.faultline.api.handler.FaultGroup#reportedNanos()}). */
    public ReportClock clock() {
        return clock;
    }

    public HostLog log() {
        return log;
    }

    public HandlerIndex index() {
        return index;
    }


    public GroupDispatcher dispatcher() {
        return dispatcher;
    }

    /**
     * The barrier of a change of owner of device {@code d}: answers INVALID, counting {@code reason}, every
     * unanswered recoverable group of {@code d} that {@code which} selects, whether a handler holds it (deferred,
     * queued) or is being called with it right now; answers being sent are waited for. Returns how many this call
     * answered.
     */
    public int answerForChangeOfOwner(DeviceState d, GroupFilter which, Counter reason) {
        int[] n = {0};
        slots.forEach(s -> {
            if (s.answerForBarrier(d, which, reason)) {
                n[0]++;
            }
        });
        return n[0] + ledger.answerForChangeOfOwner(d, which, reason);
    }

    public InlineSlots slots() {
        return slots;
    }

    public PartialBudget partialBudget() {
        return partialBudget;
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
        partialBudget.setLimit(newSettings.partialsTotal());
        watchdog.setScanPeriodNanos(newSettings.inlineBlockNanos() / 2);
        present.values().forEach(d -> d.resetLogLimiter(newSettings));
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
        IommuConnection c = new IommuConnection(backend, name, this);
        if (iommus.putIfAbsent(name, c) != null) {
            throw new IllegalStateException("an IOMMU named " + name + " is already connected");
        }
        overflows.computeIfAbsent(name, k -> new IommuOverflows());
        return c;
    }

    /**
     * Keeps a device's attachments, and the device itself for its counters, for the next backend instance of
     * IOMMU {@code iommu}.
     */
    public void carryOver(String iommu, DeviceState device, CarriedAttachments attachments) {
        carried.computeIfAbsent(iommu, k -> new ConcurrentHashMap<>()).put(device.id(),
                new CarriedDevice(device, attachments));
    }

    /** What a device of IOMMU {@code iommu} had when its previous backend instance disconnected. */
    public Optional<CarriedDevice> takeCarriedOver(String iommu, DeviceId device) {
        Map<DeviceId, CarriedDevice> byDevice = carried.get(iommu);
        return Optional.ofNullable(byDevice == null ? null : byDevice.remove(device));
    }

    /**
     * The counters of {@code previous}, the same device under the previous backend instance of its IOMMU, for
     * {@code next} to continue from; {@code previous} is no longer listed among the removed devices, so that the
     * totals count it once. Empty when its counters were already summed into the retired devices' total.
     */
    public synchronized Optional<FaultCounts> continueCounts(DeviceState previous) {
        if (!removed.remove(previous)) {
            return Optional.empty();
        }
        return Optional.of(countsOf(previous));
    }

    /** Counts an overflow of a hardware queue of IOMMU {@code iommu}, reported by its backend. */
    public void overflowed(String iommu, FaultQueue queue) {
        overflows.computeIfAbsent(iommu, k -> new IommuOverflows()).count(queue);
    }

    public void disconnected(IommuConnection c) {
        iommus.remove(c.name(), c);
    }

    /** Registers a new device of some IOMMU, unless any IOMMU has it already. */
    public void claim(DeviceState d) {
        DeviceState other = present.putIfAbsent(d.id(), d);
        if (other != null) {
            throw new IllegalStateException("device " + d.id() + " is already added on IOMMU " + other.iommu().name());
        }
    }

    public void forget(DeviceState d) {
        if (present.remove(d.id(), d)) {
            removed.add(d);
            retireOldRemovedDevices();
        }
    }

    /**
     * Keeps the statistics of the {@value #LISTED_REMOVED_DEVICES} most recently removed devices listed; older
     * ones (long answered) are summed into one total, so churn of devices and IOMMUs does not grow the core.
     */
    private synchronized void retireOldRemovedDevices() {
        while (removed.size() > LISTED_REMOVED_DEVICES) {
            DeviceState old = removed.poll();
            if (old != null) {
                retired = Counters.sum(List.of(retired, countsOf(old)));
            }
        }
    }

    private synchronized FaultCounts retired() {
        return retired;
    }

    // ---- handlers (whiteboard) ----

    /** A handler service arrived. Returns its service id, the key for {@link #updateHandler} and {@link #removeHandler}. */
    public long addHandler(FaultHandler handler, Map<String, ?> properties, String bundle) {
        HandlerRegistration r = HandlerRegistration.read(properties, bundle, handler.getClass().getName());
        if (r.serviceId() < 0) {
            r = r.withServiceId(-1 - anonymousIds.getAndIncrement());
        }
        Settings s = settings;
        Handler proxy = new Handler(handler, r,
                new RateLimiter(s.logBurst(), s.logIntervalNanos(), ticker::nanoTime));
        if (r.queued() && !r.refused()) {
            HandlerQueue q = new HandlerQueue(r.name(), s.queueDepth(), (g, generation) -> dispatcher.runQueued(proxy, g, generation),
                    queueServer);
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

    private long pendingWhere(Predicate<HeldGroup> held, Predicate<InlineGroup> inline) {
        long[] n = {ledger.count(held)};
        slots.forEach(s -> {
            if (s.openRecoverable() && inline.test(s)) {
                n[0]++;
            }
        });
        return n[0];
    }

    private FaultCounts countsOf(DeviceState d) {
        FaultCounts own = d.counters.snapshot(pendingWhere(g -> g.deviceState() == d, s -> s.deviceState() == d));
        FaultCounts before = d.countsBefore();
        return before == null ? own : Counters.sum(List.of(before, own));
    }

    private FaultCounts countsOf(Handler h) {
        FaultCounts c = h.counters.snapshot(pendingWhere(g -> g.handler() == h, s -> s.handler() == h));
        // a handler's reported faults are those routed to it; its groups, those dispatched to it
        return c.toBuilder().reported(c.dispatched() + c.delivered()).groups(c.dispatched()).build();
    }

    @Override
    public FaultCounts totals() {
        List<FaultCounts> all = new ArrayList<>();
        all.add(retired());
        for (DeviceStatus d : devices()) {
            all.add(d.counts());
        }
        return Counters.sum(all);
    }

    @Override
    public List<DeviceStatus> devices() {
        List<DeviceStatus> out = new ArrayList<>();
        for (DeviceState d : present.values()) {
            out.add(new DeviceStatus(d.id().toString(), d.iommu().name(), true, d.partials.count(), countsOf(d)));
        }
        for (DeviceState d : removed) {
            out.add(new DeviceStatus(d.id().toString(), d.iommu().name(), false, d.partials.count(), countsOf(d)));
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
                    .state(h.publicState()).counts(countsOf(h)).reason(h.reason()).standing(index.standing(h))
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
        return latency.snapshot();
    }

    @Override
    public List<PendingGroup> pending() {
        long now = ticker.nanoTime();
        List<PendingGroup> out = ledger.pending(now);
        out.sort((a, b) -> Long.compare(b.ageNanos(), a.ageNanos()));
        return out;
    }
}
