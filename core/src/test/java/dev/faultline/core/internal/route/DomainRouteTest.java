package dev.faultline.core.internal.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.core.internal.dispatch.Handler;
import dev.faultline.core.log.RateLimiter;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A domain's route hands each change of handler to the live attachments of the domain, which faults read. */
class DomainRouteTest {
    private static Handler handler(long serviceId) {
        HandlerRegistration r = HandlerRegistration.read(Map.of("service.id", serviceId, HandlerProperties.DOMAIN, "gpu"),
                "b", "h" + serviceId);
        return new Handler(g -> g.respond(ResponseCode.SUCCESS), r, new RateLimiter(10, 1, System::nanoTime));
    }

    @Test
    void anAttachmentServesWithTheDomainsHandlerOfTheMoment() {
        DomainRoute route = new DomainRoute();
        Handler first = handler(1);
        Handler second = handler(2);
        Attachment before = route.attach(Domain.dma("gpu"), 1);
        route.set(first);
        Attachment after = route.attach(Domain.dma("gpu"), 2);

        assertThat(before.handler()).isSameAs(first);
        assertThat(after.handler()).isSameAs(first);

        route.set(second);
        assertThat(before.handler()).isSameAs(second);
        route.set(null);
        assertThat(after.handler()).isNull();
    }

    @Test
    void aRetiredAttachmentIsForgottenByItsRoute() {
        DomainRoute route = new DomainRoute();
        Handler first = handler(1);
        Attachment a = route.attach(Domain.dma("gpu"), 1);
        route.set(first);
        a.retire();
        route.set(handler(2));

        assertThat(a.retired()).isTrue();
        assertThat(a.handler()).as("no longer kept by the route").isSameAs(first);
        Attachment renewed = a.renewed(2);
        assertThat(renewed.handler()).isNotSameAs(first);
        assertThat(renewed.retired()).isFalse();
    }
}
