package dev.faultline.shell.internal.shell;

import java.util.SplittableRandom;

/**
 * Which page each access of a load run touches, in a window of {@value #WINDOW_PAGES} 4 KiB pages from the base
 * address: the next page each time (sequential, the default: every access is to a page not touched before until
 * the window wraps), a random page (seeded), or the same page every time.
 */
enum LoadPattern {
    /** The pages in order. */
    SEQUENTIAL,
    /** A random page of the window. */
    RANDOM,
    /** The base page every time. */
    SAME;

    /** Pages in the window (1 GiB). */
    static final int WINDOW_PAGES = 1 << 18;
    /** The size of a page. */
    static final long PAGE = 4096;

    /** The address of access number {@code i}, 8 bytes into its page. */
    long address(long base, long i, SplittableRandom random) {
        long page = switch (this) {
            case SEQUENTIAL -> i % WINDOW_PAGES;
            case RANDOM -> random.nextInt(WINDOW_PAGES);
            case SAME -> 0;
        };
        return base + page * PAGE + 8;
    }

    /** The name shown in the summary. */
    String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
