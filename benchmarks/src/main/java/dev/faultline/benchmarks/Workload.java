package dev.faultline.benchmarks;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The one workload every variant runs (METHOD.md §1): per fault source (one per benchmark thread), a
 * ring of {@value #RECORDS} pre-built stall records from that source's devices; devices with sparse, distinct
 * 16-bit stream ids drawn at random; up to {@value #DEFAULT_HANDLERS} handlers (or {@code -D}{@value #HANDLERS_PROPERTY},
 * 1 to 16, for a measurement of what the handler count costs), device {@code i} served by handler
 * {@code i % handlers}.
 *
 * <p>Stall tags are unique across sources ({@code source * RECORDS + slot}), so a tag names one record and one
 * {@link Responses} slot, and two sources never have the same group in flight.
 */
final class Workload {
    /** Records per ring. */
    static final int RECORDS = 4096;
    /** Handlers serving the devices (the probe's realistic count). */
    static final int DEFAULT_HANDLERS = 16;
    /** The system property that sets the handler count instead (1 to {@value #DEFAULT_HANDLERS}). */
    static final String HANDLERS_PROPERTY = "workload.handlers";
    /** Sources (threads) the stall tag space is laid out for; METHOD.md §6 keeps threads at 2 or fewer. */
    static final int MAX_SOURCES = 2;

    private static final long SEED = 0x5eed_fa17L;
    private static final int STREAM_ID_SPACE = 1 << 16;
    private static final long PAGE_MASK = ~0xfffL;
    private static final long ADDRESS_MASK = (1L << 48) - 1;

    private final int devicesPerSource;
    private final int sources;
    private final int[] streamIds;
    private final Responder[] responders;
    private final long[][] rings;
    private final int[][] deviceOfSlot;
    private final Responses responses;

    private Workload(int devicesPerSource, int sources) {
        if (devicesPerSource < 1 || devicesPerSource > 4096) {
            throw new IllegalArgumentException("devices per source must be 1 to 4096, not " + devicesPerSource);
        }
        if (sources < 1 || sources > MAX_SOURCES) {
            throw new IllegalArgumentException("sources (threads) must be 1 to " + MAX_SOURCES + ", not " + sources);
        }
        this.devicesPerSource = devicesPerSource;
        this.sources = sources;
        SplittableRandom random = new SplittableRandom(SEED);
        int devices = devicesPerSource * sources;
        streamIds = distinctStreamIds(random, devices);
        responders = new Responder[Math.min(maxHandlers(), devices)];
        for (int h = 0; h < responders.length; h++) {
            responders[h] = new Responder(h);
        }
        rings = new long[sources][RECORDS * StallRecord.WORDS];
        deviceOfSlot = new int[sources][RECORDS];
        for (int s = 0; s < sources; s++) {
            for (int slot = 0; slot < RECORDS; slot++) {
                int device = s * devicesPerSource + random.nextInt(devicesPerSource);
                deviceOfSlot[s][slot] = device;
                long address = random.nextLong() & ADDRESS_MASK & PAGE_MASK;
                StallRecord.write(rings[s], slot * StallRecord.WORDS, streamIds[device], stag(s, slot),
                        random.nextBoolean(), address);
            }
        }
        responses = new Responses(sources * RECORDS);
    }

    private static int maxHandlers() {
        int n = Integer.getInteger(HANDLERS_PROPERTY, DEFAULT_HANDLERS);
        if (n < 1 || n > DEFAULT_HANDLERS) {
            throw new IllegalArgumentException(HANDLERS_PROPERTY + " must be 1 to " + DEFAULT_HANDLERS + ", not " + n);
        }
        return n;
    }

    /** The workload for {@code devicesPerSource} devices on each of {@code sources} sources; always the same records. */
    static Workload create(int devicesPerSource, int sources) {
        return new Workload(devicesPerSource, sources);
    }

    private static int[] distinctStreamIds(SplittableRandom random, int count) {
        int[] all = new int[STREAM_ID_SPACE - 1];
        for (int i = 0; i < all.length; i++) {
            all[i] = i + 1;
        }
        for (int i = 0; i < count; i++) {
            int j = i + random.nextInt(all.length - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        return Arrays.copyOf(all, count);
    }

    /** The stall tag of a record. */
    static int stag(int source, int slot) {
        return source * RECORDS + slot;
    }

    /** The fault sources (benchmark threads). */
    int sources() {
        return sources;
    }

    /** Devices per source. */
    int devicesPerSource() {
        return devicesPerSource;
    }

    /** All devices, of every source. */
    int devices() {
        return streamIds.length;
    }

    /** The stream id of device {@code device}. */
    int streamId(int device) {
        return streamIds[device];
    }

    /** The handler count. */
    int handlers() {
        return responders.length;
    }

    /** The handler serving device {@code device}. */
    Responder responderOf(int device) {
        return responders[device % responders.length];
    }

    /** Handler {@code id}. */
    Responder responder(int id) {
        return responders[id];
    }

    /** A table indexed by stream id: the handler of each device, {@code null} for unknown ids. */
    Responder[] respondersByStreamId() {
        Responder[] table = new Responder[STREAM_ID_SPACE];
        for (int d = 0; d < streamIds.length; d++) {
            table[streamIds[d]] = responderOf(d);
        }
        return table;
    }

    /** The record ring of {@code source}; callers must not modify it. */
    long[] ring(int source) {
        return rings[source];
    }

    /** The device that made record {@code slot} of {@code source}. */
    int deviceOf(int source, int slot) {
        return deviceOfSlot[source][slot];
    }

    /** Where every variant records its answers. */
    Responses responses() {
        return responses;
    }
}
