package dev.faultline.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.Domain;
import dev.faultline.api.backend.IommuPort;
import dev.faultline.api.backend.PageResponse;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.DeferredGroup;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.api.stats.FaultCounts;
import dev.faultline.core.internal.configure.Settings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Owners answering (inline and deferred, from several threads) while the owner changes again and again, for
 * each kind of change: every group gets exactly one response, and no accepted answer ever reaches the backend
 * after the change of its group's owner returned. A handler's departure is not such a barrier: the groups it holds
 * stay its own for its clean-up window, so their answers are accepted after it returns.
 */
class ChangeOfOwnerRaceTest {
    private static final DeviceId DEV = DeviceId.parse("0000:00:07.0");
    private static final int PASID = 3;
    private static final int OTHER_PASID = 4;
    private static final int GROUPS_PER_ROUND = 120;
    private static final int ROUNDS = 40;

    enum Change { DETACH, REPLACE, REMOVE_DEVICE, HANDLER_DEPARTS }

    /**
     * The epoch is even while no change runs and odd during one; a group reported entirely within even epoch
     * {@code e} was formed under the owner of {@code e}, whose change ends when the epoch reaches {@code e + 2}.
     */
    private final AtomicLong epoch = new AtomicLong();
    private final Map<Integer, AtomicInteger> responses = new ConcurrentHashMap<>();
    /** Accepted answers sent after their group's epoch ended: group id to the text. */
    private final Map<Integer, String> lateAnswers = new ConcurrentHashMap<>();
    /** Groups whose report overlapped a change (their owner is either one), not checked for lateness. */
    private final java.util.Set<Integer> overlapping = ConcurrentHashMap.newKeySet();

    @ParameterizedTest
    @EnumSource(Change.class)
    void everyGroupGetsOneResponseAndNoAcceptedAnswerOutlivesItsOwnersChange(Change change) throws Exception {
        Core pipeline = new Core(Settings.DEFAULTS.withQuarantineAfter(0), new ManualTicker(),
                new CapturingLog(), false);
        IommuPort iommu = pipeline.connect(new dev.faultline.api.backend.IommuBackend() {
            @Override
            public String name() {
                return "race0";
            }

            @Override
            public void sendPageResponse(DeviceId device, PageResponse r) {
                responses.computeIfAbsent(r.groupId(), k -> new AtomicInteger()).incrementAndGet();
                long label = r.privateData0();
                long now = epoch.get();
                if (r.code() == ResponseCode.SUCCESS && r.pasid() == PASID && label >= 0 && now > label + 1) {
                    lateAnswers.put(r.groupId(), "group " + r.groupId() + " of epoch " + label + " answered in epoch "
                            + now);
                }
            }
        });
        LinkedBlockingQueue<DeferredGroup> deferred = new LinkedBlockingQueue<>();
        FaultHandler owner = g -> {
            if ((g.groupId() & 1) == 0) {
                g.respond(ResponseCode.SUCCESS);
            } else {
                deferred.add(g.defer());
            }
        };
        long[] service = {register(pipeline, owner)};
        DevicePort[] port = {iommu.addDevice(DEV)};
        port[0].attach(PASID, Domain.sva("owned"));
        port[0].attach(OTHER_PASID, Domain.sva("owned"));

        AtomicBoolean done = new AtomicBoolean();
        List<Thread> answerers = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            Thread a = new Thread(() -> {
                while (!done.get() || !deferred.isEmpty()) {
                    try {
                        DeferredGroup g = deferred.poll(1, TimeUnit.MILLISECONDS);
                        if (g != null) {
                            g.respond(ResponseCode.SUCCESS);
                        }
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "answerer-" + t);
            a.start();
            answerers.add(a);
        }
        int groupId = 0;
        int reported = 0;
        for (int round = 0; round < ROUNDS; round++) {
            CountDownLatch go = new CountDownLatch(1);
            Thread changer = new Thread(() -> {
                await(go);
                epoch.incrementAndGet();
                switch (change) {
                    case DETACH -> {
                        port[0].detach(PASID);
                        port[0].attach(PASID, Domain.sva("owned"));
                    }
                    case REPLACE -> port[0].attach(PASID, Domain.sva("owned"));
                    case REMOVE_DEVICE -> {
                        port[0].remove();
                        DevicePort again = iommu.addDevice(DEV);
                        again.attach(PASID, Domain.sva("owned"));
                        again.attach(OTHER_PASID, Domain.sva("owned"));
                        port[0] = again;
                    }
                    case HANDLER_DEPARTS -> {
                        pipeline.removeHandler(service[0]);
                        service[0] = register(pipeline, owner);
                    }
                }
                epoch.incrementAndGet();
            }, "changer");
            changer.start();
            for (int i = 0; i < GROUPS_PER_ROUND; i++) {
                if (i == GROUPS_PER_ROUND / 3) {
                    go.countDown();
                }
                long before = epoch.get();
                int pasid = (i % 4 == 0) ? OTHER_PASID : PASID;
                int id = groupId++;
                port[0].reportPageRequest(pasid, id, PageRequest.FLAG_LAST_PAGE | PageRequest.FLAG_PASID_VALID,
                        Permissions.READ, 0x1000L * i, (before & 1) == 0 ? before : -1, 0);
                if (epoch.get() != before) {
                    overlapping.add(id);
                }
                reported++;
            }
            changer.join(10_000);
        }
        done.set(true);
        for (Thread a : answerers) {
            a.join(10_000);
        }
        pipeline.close();

        assertThat(responses).hasSize(reported);
        assertThat(responses.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
        overlapping.forEach(lateAnswers::remove);
        if (change != Change.HANDLER_DEPARTS) {
            assertThat(lateAnswers).isEmpty();
        }
        FaultCounts c = pipeline.totals();
        assertThat(c.pending()).isZero();
        assertThat(c.balanced()).isTrue();
    }

    private static long register(Core pipeline, FaultHandler owner) {
        return pipeline.addHandler(owner, Map.of(HandlerProperties.DOMAIN, "owned", "service.id",
                System.nanoTime()), "race.bundle");
    }

    private static void await(CountDownLatch go) {
        try {
            go.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
