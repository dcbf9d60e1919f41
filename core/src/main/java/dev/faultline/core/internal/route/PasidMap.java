package dev.faultline.core.internal.route;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * An immutable map from PASID (or {@link dev.faultline.api.fault.Pasid#NONE}) to a value, read without boxing
 * or allocating: open addressing over an int array. Writers build a new map ({@link #with}, {@link #without})
 * and publish it through a volatile field; readers never lock.
 *
 * @param <V> the value type
 */
public final class PasidMap<V> {
    private static final int EMPTY = Integer.MIN_VALUE;
    private static final PasidMap<?> NONE = new PasidMap<>(new int[] {EMPTY, EMPTY}, new Object[2], 0);

    private final int[] keys;
    private final Object[] values;
    private final int size;
    private final int mask;

    private PasidMap(int[] keys, Object[] values, int size) {
        this.keys = keys;
        this.values = values;
        this.size = size;
        this.mask = keys.length - 1;
    }

    @SuppressWarnings("unchecked")
    public static <V> PasidMap<V> empty() {
        return (PasidMap<V>) NONE;
    }

    /** The value at {@code pasid}, or {@code null}. */
    @SuppressWarnings("unchecked")
    public V get(int pasid) {
        int i = mix(pasid) & mask;
        while (true) {
            int k = keys[i];
            if (k == pasid) {
                return (V) values[i];
            }
            if (k == EMPTY) {
                return null;
            }
            i = (i + 1) & mask;
        }
    }

    public int size() {
        return size;
    }

    /** This map with {@code pasid} mapped to {@code value}. */
    public PasidMap<V> with(int pasid, V value) {
        int newSize = get(pasid) == null ? size + 1 : size;
        PasidMap<V> copy = sized(newSize);
        forEach(copy::put);
        copy.put(pasid, value);
        return copy;
    }

    /** This map without {@code pasid}. */
    public PasidMap<V> without(int pasid) {
        if (get(pasid) == null) {
            return this;
        }
        PasidMap<V> copy = sized(size - 1);
        forEach((k, v) -> {
            if (k != pasid) {
                copy.put(k, v);
            }
        });
        return copy;
    }

    @SuppressWarnings("unchecked")
    public void forEach(BiConsumer<Integer, V> action) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != EMPTY) {
                action.accept(keys[i], (V) values[i]);
            }
        }
    }

    /** The keys, for display. */
    public List<Integer> keys() {
        List<Integer> out = new ArrayList<>(size);
        forEach((k, v) -> out.add(k));
        return out;
    }

    /** An empty map with room for {@code entries}, filled by {@link #put} before it is published. */
    private PasidMap<V> sized(int entries) {
        int capacity = 2;
        while (capacity < entries * 2) {
            capacity <<= 1;
        }
        int[] k = new int[capacity];
        Arrays.fill(k, EMPTY);
        return new PasidMap<>(k, new Object[capacity], entries);
    }

    private void put(int pasid, Object value) {
        int i = mix(pasid) & mask;
        while (keys[i] != EMPTY && keys[i] != pasid) {
            i = (i + 1) & mask;
        }
        keys[i] = pasid;
        values[i] = value;
    }

    private static int mix(int key) {
        int h = key * 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
