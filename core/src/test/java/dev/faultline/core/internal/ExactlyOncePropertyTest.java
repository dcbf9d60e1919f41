package dev.faultline.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.Domain;
import dev.faultline.api.backend.ReportOutcome;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.DeferredGroup;
import dev.faultline.api.handler.FaultGroup;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.api.stats.FaultCounts;
import dev.faultline.core.internal.configure.Settings;
import dev.faultline.testkit.backend.RecordingBackend;
import dev.faultline.testkit.property.Gen;
import dev.faultline.testkit.property.Gens;
import dev.faultline.testkit.property.Property;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Random interleavings of partial and last page requests, handler behaviours (answer, defer, answer twice,
 * throw, abandon), late answers, deadlines, handler departures and arrivals, overflow discards and device
 * removals, attachment changes (attach over, detach, nested re-attach): every group gets exactly one response at
 * the backend, a change of owner leaves nothing of its PASID pending, and the counters add up.
 */
class ExactlyOncePropertyTest {
    private static final DeviceId[] DEVICES = {
        DeviceId.parse("0000:00:01.0"), DeviceId.parse("sid:0x42"), DeviceId.parse("platform:rproc0")};

    sealed interface Step permits Report, AnswerHeld, Expire, Depart, Arrive, Remove, Discard, Attach, Detach {
    }

    record Attach(int device, int pasid, boolean nested) implements Step {
    }

    record Detach(int device, int pasid) implements Step {
    }

    record Report(int device, int groupId, boolean last, int pasid) implements Step {
    }

    record AnswerHeld(int index, ResponseCode code) implements Step {
    }

    record Expire(int millis) implements Step {
    }

    record Depart(int handler) implements Step {
    }

    record Arrive(int handler) implements Step {
    }

    record Remove(int device) implements Step {
    }

    record Discard() implements Step {
    }

    enum Behaviour { ANSWER, DEFER, TWICE, THROW, ABANDON }

    private static Gen<Step> steps() {
        Gen<Integer> device = Gens.integers(0, DEVICES.length - 1);
        Gen<Integer> handler = Gens.integers(0, 1);
        Gen<Integer> groupId = Gens.integers(0, 3);
        Gen<Boolean> last = Gens.elements(true, true, false);
        Gen<Integer> pasid = Gens.elements(Pasid.NONE, 1, 2);
        Gen<Integer> index = Gens.integers(0, 50);
        Gen<ResponseCode> code = Gens.enums(ResponseCode.class);
        return Gens.frequency(
                Gens.weighted(12, source -> new Report(device.generate(source), groupId.generate(source),
                        last.generate(source), pasid.generate(source))),
                Gens.weighted(4, source -> new AnswerHeld(index.generate(source), code.generate(source))),
                Gens.weighted(2, Gens.integers(1, 80).map(Expire::new)),
                Gens.weighted(1, handler.map(Depart::new)),
                Gens.weighted(1, handler.map(Arrive::new)),
                Gens.weighted(1, device.map(Remove::new)),
                Gens.weighted(1, Gens.constant(new Discard())),
                Gens.weighted(2, source -> new Attach(device.generate(source), pasid.generate(source),
                        Gens.elements(true, false).generate(source))),
                Gens.weighted(2, source -> new Detach(device.generate(source), pasid.generate(source))));
    }

    @Test
    void everyGroupGetsExactlyOneResponseAndTheCountersAddUp() {
        Property.tries(300).check(s -> run(
                s.draw("steps", steps().list(0, 120)),
                s.draw("behaviours", Gens.enums(Behaviour.class).list(1, 12))));
    }

    /** Plays {@code steps} against handlers that behave as {@code behaviours} says, call after call. */
    private static void run(List<Step> steps, List<Behaviour> behaviours) {
        Settings settings = Settings.DEFAULTS.withDefaultTimeoutMillis(50).withPartials(3, 5).withQuarantineAfter(0);
        Fixture f = new Fixture(settings);
        List<DeferredGroup> held = new ArrayList<>();
        int[] call = {0};
        FaultHandler scripted = group -> behave(behaviours.get(call[0]++ % behaviours.size()), group, held);
        Long[] handlerIds = new Long[2];
        DevicePort[] ports = new DevicePort[DEVICES.length];
        for (int i = 0; i < DEVICES.length; i++) {
            ports[i] = f.device(DEVICES[i]);
        }
        ports[0].attach(Pasid.NONE, Domain.dma("dom0"));
        ports[1].attach(Pasid.NONE, Domain.nested("guest", "vm1"));
        handlerIds[0] = f.register(scripted, HandlerProperties.DOMAIN, new String[] {"dom0", "guest"});
        handlerIds[1] = f.register(scripted, HandlerProperties.DEVICE,
                new String[] {DEVICES[0].toString(), DEVICES[2].toString()}, "service.ranking", -1);

        long sequence = 0;
        long reports = 0;
        List<Long> lastRequests = new ArrayList<>();
        for (Step step : steps) {
            if (step instanceof Report r) {
                int flags = (r.last() ? PageRequest.FLAG_LAST_PAGE : 0)
                        | (r.pasid() != Pasid.NONE ? PageRequest.FLAG_PASID_VALID : 0);
                long seq = ++sequence;
                ReportOutcome outcome = ports[r.device()].reportPageRequest(r.pasid(), r.groupId(), flags,
                        Permissions.READ, 0x1000L * seq, seq, 0);
                reports++;
                if (r.last()) {
                    lastRequests.add(seq);
                    assertThat(outcome).isIn(ReportOutcome.DISPATCHED, ReportOutcome.NO_HANDLER,
                            ReportOutcome.REJECTED);
                } else {
                    assertThat(outcome).isIn(ReportOutcome.PARKED, ReportOutcome.DROPPED_PARTIAL,
                            ReportOutcome.REJECTED);
                }
            } else if (step instanceof AnswerHeld a && !held.isEmpty()) {
                held.get(a.index() % held.size()).respond(a.code());
            } else if (step instanceof Expire e) {
                f.ticker.advance(e.millis(), TimeUnit.MILLISECONDS);
                f.pipeline.expireDeadlines();
            } else if (step instanceof Depart d && handlerIds[d.handler()] != null) {
                f.pipeline.removeHandler(handlerIds[d.handler()]);
                handlerIds[d.handler()] = null;
            } else if (step instanceof Arrive a && handlerIds[a.handler()] == null) {
                handlerIds[a.handler()] = a.handler() == 0
                        ? f.register(scripted, HandlerProperties.DOMAIN, "dom0")
                        : f.register(scripted, HandlerProperties.DEVICE, DEVICES[2].toString());
            } else if (step instanceof Remove rm) {
                ports[rm.device()].remove();
                if (rm.device() % 2 == 0) {
                    ports[rm.device()] = f.iommu.addDevice(DEVICES[rm.device()]);
                }
            } else if (step instanceof Discard) {
                f.iommu.discardPartials();
            } else if (step instanceof Attach at && f.iommu.device(DEVICES[at.device()]).isPresent()) {
                ports[at.device()].attach(at.pasid(), at.nested() ? Domain.nested("guest", "vm1") : Domain.dma("dom0"));
                assertNothingPendingAt(f, at.device(), at.pasid());
            } else if (step instanceof Detach dt && f.iommu.device(DEVICES[dt.device()]).isPresent()) {
                ports[dt.device()].detach(dt.pasid());
                assertNothingPendingAt(f, dt.device(), dt.pasid());
            }
            FaultCounts now = f.pipeline.totals();
            assertThat(now.balanced()).as("balanced after %s: %s", step, now).isTrue();
            assertThat(now.reported()).isEqualTo(reports);
            assertThat(now.groups()).isEqualTo(lastRequests.size());
            assertThat(f.pipeline.devices()).allSatisfy(d -> assertThat(d.counts().balanced()).as("%s", d).isTrue());
            assertThat(f.pipeline.handlers()).allSatisfy(h -> assertThat(h.counts().balanced()).as("%s", h).isTrue());
            assertResponsesAtMostOnce(f);
        }

        f.pipeline.close();
        FaultCounts end = f.pipeline.totals();
        assertThat(end.pending()).isZero();
        assertThat(end.balanced()).isTrue();
        assertThat(end.answered()).isEqualTo(lastRequests.size());
        assertThat(end.lostResponses()).isZero();
        Map<Long, Long> perRequest = responsesPerRequest(f);
        assertThat(perRequest.keySet()).containsExactlyInAnyOrderElementsOf(lastRequests);
        assertThat(perRequest.values()).allMatch(n -> n == 1L);
    }

    private static void behave(Behaviour b, FaultGroup group, List<DeferredGroup> held) {
        switch (b) {
            case ANSWER -> group.respond(ResponseCode.SUCCESS);
            case DEFER -> held.add(group.defer());
            case TWICE -> {
                group.respond(ResponseCode.SUCCESS);
                group.respond(ResponseCode.FAILURE);
            }
            case THROW -> throw new IllegalStateException("scripted failure");
            default -> {
            }
        }
    }

    /** After a change of owner at {@code (device, pasid)}, none of that PASID's groups waits any more. */
    private static void assertNothingPendingAt(Fixture f, int device, int pasid) {
        assertThat(f.pipeline.pending()).noneMatch(p -> p.device().equals(DEVICES[device].toString())
                && p.pasid() == pasid);
    }

    private static Map<Long, Long> responsesPerRequest(Fixture f) {
        return f.backend.responses().stream().collect(Collectors.groupingBy(RecordingBackend.Response::privateData0,
                HashMap::new, Collectors.counting()));
    }

    private static void assertResponsesAtMostOnce(Fixture f) {
        assertThat(responsesPerRequest(f).values()).allMatch(n -> n == 1);
    }
}
