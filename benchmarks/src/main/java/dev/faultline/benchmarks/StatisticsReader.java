package dev.faultline.benchmarks;

import dev.faultline.api.stats.FaultStatistics;
import dev.faultline.console.internal.metrics.MetricsText;
import dev.faultline.console.internal.state.Observer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** A monitor that reads the core's statistics as the console's metrics endpoint does, once a millisecond. */
final class StatisticsReader {
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long reads;
    private volatile int lastLength;

    private StatisticsReader(FaultStatistics statistics) {
        Observer observer = new Observer(statistics, null);
        thread = new Thread(() -> {
            while (running) {
                lastLength = MetricsText.render(observer.observe(), false).length();
                reads++;
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }, "statistics-reader");
        thread.setDaemon(true);
    }

    static StatisticsReader start(FaultStatistics statistics) {
        StatisticsReader reader = new StatisticsReader(statistics);
        reader.thread.start();
        return reader;
    }

    /** Stops reading; fails if the reader never produced a text (it did not read at all). */
    void stop() throws InterruptedException {
        running = false;
        thread.join(TimeUnit.SECONDS.toMillis(10));
        if (reads == 0 || lastLength == 0) {
            throw new IllegalStateException("the statistics reader never read");
        }
    }
}
