package dev.faultline.core.internal.answer;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The held slots a deferred group's token can name ({@link dev.faultline.api.handler.FaultGroup#deferToken()}): a
 * token is a slot's number here (upper {@value #NUMBER_BITS} bits below the sign) and the low
 * {@value #GENERATION_BITS} bits of the generation the group was deferred in. Pooled slots are listed when made and
 * until their pool is forgotten; a one-off copy when a token first names it, until it is freed.
 *
 * <p>A number is reused after its slot left, but generations at one number only grow: a slot listed at a number
 * starts above every generation the number's earlier slots reached, so a token of an earlier slot never names a
 * later one's group. Reads are a volatile array read (any thread); listing and leaving take this object's lock
 * (a pool's 64 new slots at once, or a one-off copy).
 */
public final class TokenDirectory {
    static final int GENERATION_BITS = 40;
    static final long GENERATION_MASK = (1L << GENERATION_BITS) - 1;
    static final int NUMBER_BITS = 63 - GENERATION_BITS;
    private static final int MAX_SLOTS = 1 << NUMBER_BITS;

    private volatile @Nullable HeldGroup[] slots = new HeldGroup[64];
    /** The generation the next slot listed at each number starts above (guarded by this). */
    private long[] floors = new long[64];
    /** Numbers whose slot left, to list the next slot at (guarded by this). */
    private int[] free = new int[16];
    private int freeCount;
    /** Numbers handed out so far (guarded by this). */
    private int used;

    /** The token of {@code generation} of the listed slot {@code number}. */
    static long token(int number, long generation) {
        return (long) number << GENERATION_BITS | (generation & GENERATION_MASK);
    }

    /** The slot a token names, or {@code null} if no slot is listed at its number. */
    @Nullable HeldGroup slot(long token) {
        int number = (int) (token >>> GENERATION_BITS);
        @Nullable HeldGroup[] all = slots;
        return number < all.length ? all[number] : null;
    }

    /**
     * The whole generation a token names in a slot now at generation {@code current}: the latest one not above it
     * with the token's low bits (so an old token names an old generation, which the slot's checks refuse).
     */
    static long generationOf(long token, long current) {
        return current - ((current - token) & GENERATION_MASK);
    }

    /** Lists {@code slot}, which has held no group yet, and returns its number; its generations start above the number's earlier slots'. */
    public synchronized int list(HeldGroup slot) {
        int number;
        if (freeCount > 0) {
            number = free[--freeCount];
        } else {
            if (used == MAX_SLOTS) {
                throw new IllegalStateException("more than " + MAX_SLOTS + " held slots");
            }
            number = used++;
            if (number == slots.length) {
                slots = Arrays.copyOf(slots, number * 2);
                floors = Arrays.copyOf(floors, number * 2);
            }
        }
        slot.listedAt(number, floors[number]);
        slots[number] = slot;
        return number;
    }

    /** Takes {@code slot} off the directory (it holds no group any more); its number is reused. */
    public synchronized void leave(HeldGroup slot) {
        int number = slot.tokenNumber();
        if (number < 0 || slots[number] != slot) {
            return;
        }
        floors[number] = slot.generation() + 1;
        slots[number] = null;
        if (freeCount == free.length) {
            free = Arrays.copyOf(free, freeCount * 2);
        }
        free[freeCount++] = number;
        slot.unlisted();
    }
}
