package dev.faultline.platform.smmuv3;

/**
 * Arithmetic on SMMUv3 queue PROD / CONS values (IHI 0070 §6.3.26-6.3.28): index in bits [n-1:0], wrap bit n,
 * overflow flag bit 31, for a queue of 2^n entries. Linux's {@code Q_IDX}, {@code Q_WRP}, {@code Q_OVF}.
 */
public final class QueuePointer {
    private QueuePointer() {
    }

    /** {@code Q_IDX}: the entry index. */
    public static int index(int pointer, int log2Size) {
        return pointer & ((1 << log2Size) - 1);
    }

    /** {@code Q_WRP}: the wrap bit, in place. */
    public static int wrap(int pointer, int log2Size) {
        return pointer & (1 << log2Size);
    }

    /** {@code Q_OVF}: the overflow flag (OVFLG / OVACKFLG), in place. */
    public static int overflow(int pointer) {
        return pointer & SmmuRegisters.Q_OVERFLOW_FLAG;
    }

    /** Index and wrap bit together, without the overflow flag or RES0 bits. */
    public static int position(int pointer, int log2Size) {
        return pointer & ((2 << log2Size) - 1);
    }

    /** Empty: equal index and equal wrap bit. */
    public static boolean empty(int prod, int cons, int log2Size) {
        return position(prod, log2Size) == position(cons, log2Size);
    }

    /** Full: equal index, different wrap bit. */
    public static boolean full(int prod, int cons, int log2Size) {
        return index(prod, log2Size) == index(cons, log2Size) && wrap(prod, log2Size) != wrap(cons, log2Size);
    }

    /** How many entries are between {@code cons} and {@code prod}. */
    public static int used(int prod, int cons, int log2Size) {
        int size = 1 << log2Size;
        int diff = index(prod, log2Size) - index(cons, log2Size);
        if (wrap(prod, log2Size) != wrap(cons, log2Size)) {
            diff += size;
        }
        return diff;
    }

    /** The position after {@code pointer}: the index advanced, wrapping to 0 and toggling the wrap bit; flags kept. */
    public static int increment(int pointer, int log2Size) {
        int flag = overflow(pointer);
        int next = (position(pointer, log2Size) + 1) & ((2 << log2Size) - 1);
        return flag | next;
    }
}
