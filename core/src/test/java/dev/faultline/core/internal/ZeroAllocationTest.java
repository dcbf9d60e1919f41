package dev.faultline.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.Domain;
import dev.faultline.api.backend.IommuBackend;
import dev.faultline.api.backend.PageResponse;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.core.internal.configure.Settings;
import dev.faultline.core.internal.hold.Ticker;
import dev.faultline.core.log.LogSink;
import java.lang.management.ManagementFactory;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The synchronous path (last-page request, inline handler answering at once) allocates nothing per fault. */
class ZeroAllocationTest {
    private static final int FAULTS = 20_000;

    /** Counts responses without keeping them. */
    private static final class CountingBackend implements IommuBackend {
        long sent;
        long sum;

        @Override
        public String name() {
            return "counting";
        }

        @Override
        public void sendPageResponse(DeviceId device, PageResponse response) {
            sent++;
            sum += response.groupId() + response.code().value();
        }
    }

    @Test
    void aLastPageRequestAnsweredInlineAllocatesNothing() {
        var threads = ManagementFactory.getThreadMXBean();
        assumeTrue(threads instanceof com.sun.management.ThreadMXBean t && t.isThreadAllocatedMemorySupported(),
                "per-thread allocation counters unavailable");
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) threads;
        mx.setThreadAllocatedMemoryEnabled(true);

        Core p = new Core(Settings.DEFAULTS, Ticker.SYSTEM, LogSink.NONE, false);
        try {
            CountingBackend backend = new CountingBackend();
            DevicePort d = p.connect(backend).addDevice(DeviceId.parse("0000:00:03.0"));
            d.attach(Pasid.NONE, Domain.dma("dom"));
            d.attach(7, Domain.sva("proc"));
            p.addHandler(g -> g.respond(ResponseCode.SUCCESS), Map.of("service.id", 1L, HandlerProperties.DOMAIN,
                    new String[] {"dom", "proc"}), "b");

            report(d, FAULTS);
            long threadId = Thread.currentThread().getId();
            long before = mx.getThreadAllocatedBytes(threadId);
            report(d, FAULTS);
            long allocated = mx.getThreadAllocatedBytes(threadId) - before;

            assertThat(backend.sent).isEqualTo(4L * FAULTS);
            assertThat(allocated).as("bytes allocated for %d faults", 2 * FAULTS).isLessThan(2 * FAULTS / 8);
        } finally {
            p.close();
        }
    }

    private static void report(DevicePort d, int n) {
        int pasidFlags = PageRequest.FLAG_LAST_PAGE | PageRequest.FLAG_PASID_VALID;
        for (int i = 0; i < n; i++) {
            d.reportPageRequest(Pasid.NONE, i & 0x1ff, PageRequest.FLAG_LAST_PAGE, Permissions.READ, 0x1000L * i, 0, 0);
            d.reportPageRequest(7, i & 0x1ff, pasidFlags, Permissions.WRITE, 0x2000L * i, i, 0);
        }
    }
}
