package dev.faultline.demo.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;

class HostLogWatchTest {
    private final LateDeliveringLog log = new LateDeliveringLog();

    @Test
    void keepsOnlyPickedLinesLoggedAfterItOpened() {
        log.store(1, "0000:07:00.0: unhandled unrecoverable fault");
        try (HostLogWatch watch = new HostLogWatch(log, line -> line.contains("0000:07:00.0"))) {
            log.store(2, "event: F_PERMISSION client: 0000:07:00.0 sid: 0x700 ssid: 0x0");
            log.store(3, "DMAR: [DMA Write NO_PASID] Request device [05:00.2] fault addr 0x7e0000000000");
            log.deliverAll();

            assertThat(watch.lines(new DemoServices(null, 5_000)))
                    .containsExactly("event: F_PERMISSION client: 0000:07:00.0 sid: 0x700 ssid: 0x0");
        }
        assertThat(log.listeners).isEmpty();
    }

    @Test
    void waitsForTheListenerToBeToldOfEveryEntryTheLogHeldWhenAsked() throws Exception {
        try (HostLogWatch watch = new HostLogWatch(log, line -> true)) {
            log.store(1, "arm-smmu-v3 smmuv3.0: event 0x10 received:");
            CountDownLatch asked = log.nextGetLog();
            Thread deliverer = new Thread(() -> {
                try {
                    asked.await();
                    log.deliverAll();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            deliverer.start();

            assertThat(watch.lines(new DemoServices(null, 20_000)))
                    .containsExactly("arm-smmu-v3 smmuv3.0: event 0x10 received:");
            deliverer.join(TimeUnit.SECONDS.toMillis(20));
        }
    }

    @Test
    void failsClearlyWhenTheLogNeverDeliversAnEntryItHolds() {
        try (HostLogWatch watch = new HostLogWatch(log, line -> true)) {
            log.store(1, "never told to listeners");

            assertThatThrownBy(() -> watch.lines(new DemoServices(null, 20)))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("did not deliver entry 1");
        }
    }

    /** A log service that stores entries at once but tells its listeners only when asked to. */
    private static final class LateDeliveringLog implements LogReaderService {
        final List<LogListener> listeners = Collections.synchronizedList(new ArrayList<>());
        private final List<LogEntry> stored = Collections.synchronizedList(new ArrayList<>());
        private final List<LogEntry> undelivered = Collections.synchronizedList(new ArrayList<>());
        private volatile CountDownLatch getLogCalled = new CountDownLatch(0);

        void store(long sequence, String message) {
            LogEntry entry = mock(LogEntry.class);
            when(entry.getSequence()).thenReturn(sequence);
            when(entry.getMessage()).thenReturn(message);
            stored.add(0, entry);
            undelivered.add(entry);
        }

        void deliverAll() {
            List<LogEntry> entries;
            synchronized (undelivered) {
                entries = List.copyOf(undelivered);
                undelivered.clear();
            }
            for (LogEntry entry : entries) {
                List.copyOf(listeners).forEach(l -> l.logged(entry));
            }
        }

        /** A latch released by the next call of {@link #getLog()}. */
        CountDownLatch nextGetLog() {
            getLogCalled = new CountDownLatch(1);
            return getLogCalled;
        }

        @Override
        public void addLogListener(LogListener listener) {
            listeners.add(listener);
        }

        @Override
        public void removeLogListener(LogListener listener) {
            listeners.remove(listener);
        }

        @Override
        public Enumeration<LogEntry> getLog() {
            Enumeration<LogEntry> entries = Collections.enumeration(List.copyOf(stored));
            getLogCalled.countDown();
            return entries;
        }
    }
}
