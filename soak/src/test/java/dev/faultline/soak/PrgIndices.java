package dev.faultline.soak;

import dev.faultline.platform.dma.PageRequestMessage;
import dev.faultline.platform.dma.TranslationPort;

/**
 * The page request group indices a PCIe function has outstanding (PCIe PRG Index, 9 bits), and how it sends a group.
 * Not thread-safe: the function guards it.
 */
public final class PrgIndices {
    private static final int INDICES = PageRequestMessage.PRG_INDEX_MASK + 1;

    private final boolean[] outstanding = new boolean[INDICES];
    private int count;
    private int next;

    /** Takes the next free index (the caller keeps fewer than 512 outstanding). */
    public int take() {
        int index = next;
        while (outstanding[index]) {
            index = (index + 1) % INDICES;
        }
        next = (index + 1) % INDICES;
        outstanding[index] = true;
        count++;
        return index;
    }

    /** Frees {@code index} on its answer; {@code false} if it was not outstanding (a second answer). */
    public boolean answer(int index) {
        if (!outstanding[index]) {
            return false;
        }
        outstanding[index] = false;
        count--;
        return true;
    }

    /** Indices outstanding. */
    public int outstanding() {
        return count;
    }

    /**
     * Sends group {@code index} of {@code pages} pages from {@code firstPage} (1 MiB apart, reads, every other one a
     * write too), the last one marked L.
     */
    public static void send(TranslationPort port, int requesterId, int pasid, int index, long firstPage, int pages) {
        for (int i = 0; i < pages; i++) {
            port.pageRequest(new PageRequestMessage(requesterId, pasid, false, false, true, (i & 1) == 1,
                    i == pages - 1, index, firstPage + ((long) i << 20)));
        }
    }
}
