package dev.faultline.drivers.msm.internal;

import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.core.log.LogSink;
import dev.faultline.core.log.RateLimiter;
import dev.faultline.drivers.msm.AdrenoGpu;
import dev.faultline.drivers.msm.ContextStatus;
import dev.faultline.drivers.msm.FaultType;
import dev.faultline.drivers.msm.GpuBlock;
import dev.faultline.drivers.msm.GpuCommand;
import dev.faultline.drivers.msm.GpuSnapshot;
import dev.faultline.drivers.msm.GpuStatus;
import dev.faultline.drivers.msm.JobState;
import dev.faultline.platform.arm.TranslationTable;
import dev.faultline.platform.dma.DmaDevice;
import dev.faultline.platform.dma.DmaResult;
import dev.faultline.platform.memory.FrameAllocator;
import dev.faultline.platform.memory.PhysicalMemory;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;

/**
 * The Adreno GPU model and the msm driver's fault logic ({@code adreno_gpu.c}, {@code msm_gpu.c}):
 * <ul>
 *   <li>contexts with their own stage-1 tables, bound to the SMMU by PASID, or by switching the PASID-less
 *       TTBR0 before each job (as the CP's {@code SMMU_TABLE_UPDATE} does);</li>
 *   <li>a ring of jobs whose memory steps are real DMA through the SMMU;</li>
 *   <li>{@link #handleFault}: stall-on-fault switched off for a cooldown after every fault (500 ms by default)
 *       and switched back on at the next job start once the cooldown has passed and no crash state is
 *       pending ({@code adreno_check_and_reenable_stall}); a rate-limited line in the driver's format
 *       (Linux adreno_fault_handler); a snapshot of the GPU state for the first stalled fault of a job;</li>
 *   <li>hang recovery on an executor: a job whose access was terminated hangs the ring; recovery fails that
 *       job, charges a fault to its context and drops that context's queued jobs, and the ring goes on with
 *       the other contexts' jobs.</li>
 * </ul>
 *
 * <p>Thread-safe. {@link #run} is the GPU's own thread (one at a time); {@link #handleFault} runs on the
 * IOMMU's fault thread, possibly while {@link #run} waits on the stalled access.
 *
 * <p><b>Size.</b> One class because the GPU's ring, its stall switch and its recovery act on each other under one
 * lock, as the msm driver's do; the job, context and snapshot values are their own classes.
 */
public final class Gpu implements AdrenoGpu {
    /** devcoredump frees an unread dump after 5 minutes ({@code DEVCD_TIMEOUT}). */
    static final long CRASH_STATE_TIMEOUT_NANOS = Duration.ofMinutes(5).toNanos();
    private static final int JOBS_REMEMBERED = 4096;

    private final String name;
    private final String device;
    private final DmaDevice dma;
    private final Duration dmaTimeout;
    private final FrameAllocator frames;
    private final PhysicalMemory memory;
    private final GpuSmmu smmu;
    private final boolean pasidContexts;
    private final boolean stallOnFault;
    private final long cooldownNanos;
    private final int snapshotHistory;
    private final Executor recoveryExecutor;
    private final LongSupplier clock;
    private final LogSink log;
    /** Linux {@code adreno_fault_handler}'s {@code pr_warn_ratelimited} call site. */
    private final RateLimiter faultLines;
    private final Runnable recoveryTask = this::recover;

    private final Object lock = new Object();
    private final Object ringLock = new Object();
    private final Map<Integer, GpuContext> contexts = new TreeMap<>();
    private final Deque<Job> ring = new ArrayDeque<>();
    private final Map<Long, Job> jobs = new LinkedHashMap<>(16, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Job> eldest) {
            return size() > JOBS_REMEMBERED;
        }
    };
    private final Deque<GpuSnapshot> snapshots = new ArrayDeque<>();
    private final long[] scratch = new long[GpuCommand.SCRATCH_REGISTERS];
    private int nextContext = 1;
    private long nextSeqno = 1;
    private Job current;
    private Job hung;
    private GpuContext loaded;
    private GpuContext inflightContext;
    private GpuBlock inflightBlock;
    private long inflightPage = -1;
    private GpuContext abortedContext;
    private GpuBlock abortedBlock;
    private long abortedPage = -1;
    /** The last job whose access was terminated, and that access's page; recovery does not clear them. */
    private Job terminatedJob;
    private long terminatedPage = -1;
    private boolean stallEnabled;
    private long stallReenableNanos;
    private GpuSnapshot crashState;
    private long faults;
    private long stalledFaults;
    private long linesPrinted;
    private long linesSuppressed;
    private long snapshotsTaken;
    private long recoveries;

    private Gpu(Builder b) {
        this.name = b.name;
        this.device = b.device;
        this.dma = b.dma;
        this.dmaTimeout = b.dmaTimeout;
        this.frames = b.frames;
        this.memory = b.frames.memory();
        this.smmu = b.smmu;
        this.pasidContexts = b.pasidContexts;
        this.stallOnFault = b.stallOnFault;
        this.cooldownNanos = b.stallCooldown.toNanos();
        this.snapshotHistory = b.snapshotHistory;
        this.recoveryExecutor = b.recoveryExecutor;
        this.clock = b.clock;
        this.log = b.log;
        this.faultLines = new RateLimiter(b.rateLimitBurst, b.rateLimitInterval.toNanos(), b.clock);
        this.stallEnabled = b.stallOnFault;
        smmu.setStall(stallEnabled);
    }

    /** A builder for a GPU called {@code name} (e.g. {@code a660}). */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** The GPU's name. */
    public String name() {
        return name;
    }

    @Override
    public GpuStatus status() {
        synchronized (lock) {
            expireCrashState(clock.getAsLong());
            List<ContextStatus> list = new ArrayList<>(contexts.size());
            for (GpuContext c : contexts.values()) {
                int queued = (int) ring.stream().filter(j -> j.context == c).count();
                list.add(new ContextStatus(c.id, c.domain, c.pasid, c.ttbr0(), c.faults, c.completedJobs, queued,
                        c.mappings()));
            }
            return new GpuStatus(device, smmu.canSwitchStall(), stallEnabled, stallReenableNanos, faults, stalledFaults, linesPrinted,
                    linesSuppressed, snapshotsTaken, crashState != null, recoveries, list);
        }
    }

    @Override
    public int createContext() {
        GpuContext context;
        synchronized (lock) {
            int id = nextContext++;
            context = new GpuContext(id, pasidContexts ? id : Pasid.NONE, name + "-ctx" + id,
                    TranslationTable.stage1(frames, GpuContext.INPUT_BITS));
            contexts.put(id, context);
        }
        if (pasidContexts) {
            smmu.attach(context.pasid, context.domain, context.table, context.asid());
        }
        return context.id;
    }

    @Override
    public void map(int context, long iova, long size, Permissions access) {
        Objects.requireNonNull(access, "access");
        if ((iova & 0xfff) != 0 || size <= 0 || (size & 0xfff) != 0) {
            throw new IllegalArgumentException(String.format(
                    "GPU mapping [0x%x, +0x%x) must be 4 KiB aligned with a positive size", iova, size));
        }
        synchronized (lock) {
            GpuContext c = context(context);
            c.map(iova, frames.allocate(size, PhysicalMemory.PAGE_SIZE), size, access);
        }
    }

    @Override
    public void unmap(int context, long iova, long size) {
        synchronized (lock) {
            context(context).unmap(iova, size);
        }
    }

    @Override
    public long readWord(int context, long iova) {
        synchronized (lock) {
            long pa = context(context).physical(iova);
            if (pa < 0) {
                throw new IllegalArgumentException(String.format("0x%x is not mapped in context %d", iova, context));
            }
            return memory.read64(pa);
        }
    }

    @Override
    public long submit(int context, List<GpuCommand> commands) {
        if (commands.isEmpty()) {
            throw new IllegalArgumentException("a job needs at least one step");
        }
        synchronized (lock) {
            Job job = new Job(nextSeqno++, context(context), commands);
            ring.add(job);
            jobs.put(job.seqno, job);
            return job.seqno;
        }
    }

    @Override
    public JobState job(long seqno) {
        synchronized (lock) {
            Job job = jobs.get(seqno);
            if (job == null) {
                throw new IllegalArgumentException("no job " + seqno + " (unknown or forgotten)");
            }
            return job.state;
        }
    }

    @Override
    public List<GpuSnapshot> snapshots() {
        synchronized (lock) {
            return List.copyOf(snapshots);
        }
    }

    @Override
    public Optional<GpuSnapshot> readCrashState() {
        synchronized (lock) {
            expireCrashState(clock.getAsLong());
            GpuSnapshot s = crashState;
            crashState = null;
            return Optional.ofNullable(s);
        }
    }

    /**
     * Executes up to {@code maxJobs} queued jobs on the calling thread (the GPU's). Stops early when the ring
     * is empty or hung; a hung ring waits for recovery.
     *
     * @return the number of jobs that completed
     */
    public int run(int maxJobs) {
        synchronized (ringLock) {
            int completed = 0;
            for (int n = 0; n < maxJobs; n++) {
                Job job;
                synchronized (lock) {
                    if (hung != null) {
                        return completed;
                    }
                    job = ring.poll();
                    if (job == null) {
                        return completed;
                    }
                    job.state = JobState.RUNNING;
                    current = job;
                }
                checkAndReenableStall();
                if (execute(job)) {
                    completed++;
                } else {
                    return completed;
                }
            }
            return completed;
        }
    }

    /** Runs the steps of {@code job}; on a terminated access hangs the ring and queues recovery. */
    private boolean execute(Job job) {
        GpuContext ctx = job.context;
        if (!pasidContexts && loaded != ctx) {
            smmu.attach(Pasid.NONE, ctx.domain, ctx.table, ctx.asid());
            synchronized (lock) {
                loaded = ctx;
            }
        }
        for (GpuCommand step : job.commands) {
            if (step.kind() == GpuCommand.Kind.SCRATCH) {
                synchronized (lock) {
                    scratch[(int) step.address()] = step.value();
                    job.completedSteps++;
                }
                continue;
            }
            synchronized (lock) {
                inflightContext = ctx;
                inflightBlock = step.block();
                inflightPage = step.address() & ~0xfffL;
            }
            DmaResult result = step.kind() == GpuCommand.Kind.READ
                    ? dma.read(ctx.pasid, step.address(), Long.BYTES, dmaTimeout)
                    : dma.write(ctx.pasid, step.address(), littleEndian(step.value()), dmaTimeout);
            synchronized (lock) {
                if (!result.completed()) {
                    abortedContext = ctx;
                    abortedBlock = step.block();
                    abortedPage = inflightPage;
                    terminatedJob = job;
                    terminatedPage = inflightPage;
                }
                inflightContext = null;
                inflightBlock = null;
                inflightPage = -1;
                if (!result.completed()) {
                    hung = job;
                    current = null;
                    break;
                }
                job.completedSteps++;
            }
        }
        synchronized (lock) {
            if (hung == job) {
                recoveryExecutor.execute(recoveryTask);
                return false;
            }
            job.state = JobState.COMPLETED;
            ctx.completedJobs++;
            current = null;
            return true;
        }
    }

    /**
     * The fault handler's work ({@code adreno_fault_handler}), on the IOMMU's fault thread. The caller answers
     * the group; this never blocks on the GPU.
     *
     * @param pasid the fault's PASID, or {@link Pasid#NONE}
     * @param iova the faulting address
     * @param access the faulting access
     * @param walkAborted whether the table walk itself aborted (a fetch address is given)
     * @param stalled whether the access is stalled, waiting for the answer
     * @return the fault type printed
     */
    public FaultType handleFault(int pasid, long iova, Permissions access, boolean walkAborted, boolean stalled) {
        long now = clock.getAsLong();
        boolean disableStall;
        boolean capture;
        GpuContext ctx;
        FaultType type;
        String source;
        long s4;
        long s5;
        long s6;
        long s7;
        Job job;
        synchronized (lock) {
            faults++;
            if (stalled) {
                stalledFaults++;
            }
            ctx = pasidContexts ? contexts.get(pasid) : loaded;
            type = ctx == null ? FaultType.UNKNOWN : ctx.classify(iova, access, walkAborted);
            source = source(ctx, iova);
            disableStall = stallEnabled;
            stallEnabled = false;
            stallReenableNanos = now + cooldownNanos;
            expireCrashState(now);
            job = faultingJob(ctx, iova);
            capture = stalled && crashState == null && job != null && job.context == ctx && !job.faultDumped;
            if (capture) {
                job.faultDumped = true;
            }
            s4 = scratch[4];
            s5 = scratch[5];
            s6 = scratch[6];
            s7 = scratch[7];
        }
        if (disableStall) {
            smmu.setStall(false);
        }
        if (admitFaultLine()) {
            // Linux adreno_fault_handler
            log.warn(String.format("*** gpu fault: ttbr0=%016x iova=%016x dir=%s type=%s source=%s (%d,%d,%d,%d)",
                    ctx == null ? 0 : ctx.ttbr0(), iova, access.write() ? "WRITE" : "READ", type.name(), source,
                    s4, s5, s6, s7));
            synchronized (lock) {
                linesPrinted++;
            }
        }
        if (capture) {
            capture(job, ctx, iova, access, type, source, now);
        }
        return type;
    }

    /**
     * Whether a fault line may be printed now (Linux's {@code ___ratelimit}); after suppressions it first prints
     * {@code adreno_fault_handler: N callbacks suppressed}, as printk does.
     */
    private boolean admitFaultLine() {
        if (faultLines.tryAcquire(log, "adreno_fault_handler")) {
            return true;
        }
        synchronized (lock) {
            linesSuppressed++;
        }
        return false;
    }

    /** Detaches every context's table from the SMMU (the GPU is going away). */
    public void release() {
        List<GpuContext> all;
        GpuContext current;
        synchronized (lock) {
            all = List.copyOf(contexts.values());
            current = loaded;
        }
        try {
            if (pasidContexts) {
                for (GpuContext c : all) {
                    smmu.detach(c.pasid);
                }
            } else if (current != null) {
                smmu.detach(Pasid.NONE);
            }
        } catch (IllegalStateException stopped) {
            // the SMMU backend stopped first; its attachments went with it
        }
    }

    /** {@code msm_gpu_fault_crashstate_capture}: the snapshot of a job's first stalled fault. */
    private void capture(Job job, GpuContext ctx, long iova, Permissions access, FaultType type, String source,
            long now) {
        synchronized (lock) {
            List<Long> regs = new ArrayList<>(scratch.length);
            for (long r : scratch) {
                regs.add(r);
            }
            GpuSnapshot s = new GpuSnapshot(job.seqno, ctx.id, ctx.ttbr0(), iova, access, type, source, regs,
                    job.commands, job.completedSteps, ctx.mappings(), now);
            crashState = s;
            snapshots.addLast(s);
            while (snapshots.size() > snapshotHistory) {
                snapshots.removeFirst();
            }
            snapshotsTaken++;
        }
    }

    /** The block whose access faulted at {@code iova}: the one in flight, else the last one terminated. */
    private String source(GpuContext ctx, long iova) {
        long page = iova & ~0xfffL;
        if (inflightBlock != null && inflightContext == ctx && inflightPage == page) {
            return inflightBlock.name();
        }
        if (abortedBlock != null && abortedContext == ctx && abortedPage == page) {
            return abortedBlock.name();
        }
        return "unknown";
    }

    /**
     * The job whose access faulted: the running one, else the one whose access at that page was terminated (its
     * wait timed out before this fault thread got to the fault, and recovery may have run already).
     */
    private Job faultingJob(GpuContext ctx, long iova) {
        if (current != null) {
            return current;
        }
        if (terminatedJob != null && terminatedJob.context == ctx && terminatedPage == (iova & ~0xfffL)) {
            return terminatedJob;
        }
        return null;
    }

    /** {@code adreno_check_and_reenable_stall}, at each job start. */
    private void checkAndReenableStall() {
        boolean enable;
        synchronized (lock) {
            long now = clock.getAsLong();
            expireCrashState(now);
            enable = stallOnFault && !stallEnabled && now - stallReenableNanos > 0 && crashState == null;
            if (enable) {
                stallEnabled = true;
            }
        }
        if (enable) {
            smmu.setStall(true);
        }
    }

    /** The recover worker: resets the hung job's context; the ring then continues with the others. */
    private void recover() {
        Job job;
        int cancelled = 0;
        synchronized (lock) {
            job = hung;
            if (job == null) {
                return;
            }
            job.state = JobState.FAULTED;
            job.context.faults++;
            for (Iterator<Job> it = ring.iterator(); it.hasNext();) {
                Job queued = it.next();
                if (queued.context == job.context) {
                    queued.state = JobState.CANCELLED;
                    it.remove();
                    cancelled++;
                }
            }
            // the aborted access's block stays known, as the SMMU's syndrome (FSYNR1) keeps it: a terminated
            // fault's report may reach the handler after this recovery
            hung = null;
            recoveries++;
        }
        log.error("[drm:recover_worker] *ERROR* " + name + ": hangcheck recover!");
        log.error("[drm:recover_worker] *ERROR* " + name + ": reset context " + job.context.id + ": job "
                + job.seqno + " faulted, " + cancelled + " queued job(s) cancelled");
    }

    private void expireCrashState(long now) {
        if (crashState != null && now - crashState.capturedNanos() >= CRASH_STATE_TIMEOUT_NANOS) {
            crashState = null;
        }
    }

    private GpuContext context(int id) {
        GpuContext c = contexts.get(id);
        if (c == null) {
            throw new IllegalArgumentException("no GPU context " + id);
        }
        return c;
    }

    private static byte[] littleEndian(long value) {
        byte[] b = new byte[Long.BYTES];
        for (int i = 0; i < Long.BYTES; i++) {
            b[i] = (byte) (value >>> (8 * i));
        }
        return b;
    }

    /** Builds a {@link Gpu}. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private String device;
        private DmaDevice dma;
        private Duration dmaTimeout = Duration.ofSeconds(1);
        private FrameAllocator frames;
        private GpuSmmu smmu;
        private boolean pasidContexts = true;
        private boolean stallOnFault = true;
        private Duration stallCooldown = Duration.ofMillis(500);
        private Duration rateLimitInterval = Duration.ofNanos(RateLimiter.DEFAULT_INTERVAL_NANOS);
        private int rateLimitBurst = RateLimiter.DEFAULT_BURST;
        private int snapshotHistory = 16;
        private Executor recoveryExecutor;
        private LongSupplier clock = System::nanoTime;
        private LogSink log;

        private Builder(String name) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("a GPU needs a name");
            }
            this.name = name;
            this.device = name;
        }

        /** The device id text shown in the status; the name by default. */
        public Builder device(String value) {
            device = value;
            return this;
        }

        /** The GPU's DMA port and how long one access may wait while stalled. */
        public Builder dma(DmaDevice value, Duration timeout) {
            dma = value;
            dmaTimeout = timeout;
            return this;
        }

        /** Where contexts' tables and memory are allocated. */
        public Builder memory(FrameAllocator value) {
            frames = value;
            return this;
        }

        /** The SMMU in front of the GPU. */
        public Builder smmu(GpuSmmu value) {
            smmu = value;
            return this;
        }

        /** {@code true} (default): each context has its own PASID; {@code false}: TTBR0 is switched per job. */
        public Builder pasidContexts(boolean value) {
            pasidContexts = value;
            return this;
        }

        /** Whether stall-on-fault is on at start (default), and the cooldown after a fault (500 ms, as Linux). */
        public Builder stallOnFault(boolean enabled, Duration cooldown) {
            stallOnFault = enabled;
            stallCooldown = cooldown;
            return this;
        }

        /** The fault-line rate limit: {@code burst} lines per {@code interval} (5 s / 10; 0 s: unlimited). */
        public Builder rateLimit(Duration interval, int burst) {
            rateLimitInterval = interval;
            rateLimitBurst = burst;
            return this;
        }

        /** How many snapshots {@link Gpu#snapshots()} keeps (16 by default). */
        public Builder snapshotHistory(int value) {
            snapshotHistory = value;
            return this;
        }

        /** Where hang recovery runs; must not run tasks on the caller's thread. */
        public Builder recoveryExecutor(Executor value) {
            recoveryExecutor = value;
            return this;
        }

        /** The clock of cooldowns, rate limits and snapshots. */
        public Builder clock(LongSupplier value) {
            clock = value;
            return this;
        }

        /** Where its lines go. */
        public Builder log(LogSink value) {
            log = value;
            return this;
        }

        /**
         * Builds the GPU and sets the SMMU's stall mode.
         *
         * @throws NullPointerException if DMA, memory, SMMU, executor or log is missing
         * @throws IllegalArgumentException for a negative cooldown or a snapshot history below 1
         */
        public Gpu build() {
            Objects.requireNonNull(dma, "dma");
            Objects.requireNonNull(frames, "memory");
            Objects.requireNonNull(smmu, "smmu");
            Objects.requireNonNull(recoveryExecutor, "recovery executor");
            Objects.requireNonNull(log, "log");
            Objects.requireNonNull(device, "device");
            if (stallCooldown.isNegative() || snapshotHistory < 1) {
                throw new IllegalArgumentException("stall cooldown must not be negative and the snapshot history"
                        + " must keep at least one");
            }
            return new Gpu(this);
        }
    }
}
