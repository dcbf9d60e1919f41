package dev.faultline.testkit.property;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The basic generators. Numbers are biased to their range's ends, to the origin (0, or the range's end nearest
 * to 0) and to the origin's neighbours, and shrink toward the origin; alternatives shrink toward the first one;
 * lists are biased to their smallest, their second-smallest and their largest length, and shrink by losing
 * elements and by shrinking the ones left.
 */
public final class Gens {
    private Gens() {
    }

    /**
     * Longs from {@code min} to {@code max} inclusive, shrinking toward 0 if the range holds it, otherwise toward
     * the end nearest to 0.
     *
     * @param min the smallest value
     * @param max the largest value, at least {@code min}
     * @return the generator
     */
    public static Gen<Long> longs(long min, long max) {
        if (min > max) {
            throw new IllegalArgumentException("empty range [" + min + ", " + max + "]");
        }
        long origin = min > 0 ? min : max < 0 ? max : 0;
        long above = max - origin;                               // unsigned: the range is up to 2^64 - 1 wide
        long below = origin - min;
        return source -> {
            boolean down = above == 0 ? below != 0 : below != 0 && source.pick(2) == 1;
            long magnitude = down ? source.choose(below) : above == 0 ? 0 : source.choose(above);
            return down ? origin - magnitude : origin + magnitude;
        };
    }

    /**
     * Any long, biased to 0, ±1, {@link Long#MIN_VALUE} and {@link Long#MAX_VALUE}.
     *
     * @return the generator
     */
    public static Gen<Long> longs() {
        return longs(Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /**
     * Ints from {@code min} to {@code max} inclusive, as {@link #longs(long, long)}.
     *
     * @param min the smallest value
     * @param max the largest value, at least {@code min}
     * @return the generator
     */
    public static Gen<Integer> integers(int min, int max) {
        return longs(min, max).map(Long::intValue);
    }

    /**
     * Any int, biased to 0, ±1, {@link Integer#MIN_VALUE} and {@link Integer#MAX_VALUE}.
     *
     * @return the generator
     */
    public static Gen<Integer> integers() {
        return integers(Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    /**
     * {@code false} or {@code true}, each as likely; shrinks to {@code false}.
     *
     * @return the generator
     */
    public static Gen<Boolean> booleans() {
        return source -> source.pick(2) == 1;
    }

    /**
     * Always {@code value}; draws nothing.
     *
     * @param <T> the type of the value
     * @param value the value
     * @return the generator
     */
    public static <T> Gen<T> constant(T value) {
        return source -> value;
    }

    /**
     * One of {@code values}, each as likely; shrinks toward the first.
     *
     * @param <T> the type of the values
     * @param values the values, at least one
     * @return the generator
     */
    @SafeVarargs
    public static <T> Gen<T> elements(T... values) {
        List<T> list = new ArrayList<>(values.length);
        for (T value : values) {                               // element by element: the array goes nowhere
            list.add(value);
        }
        return elements(list);
    }

    /**
     * One of {@code values}, each as likely; shrinks toward the first.
     *
     * @param <T> the type of the values
     * @param values the values, at least one
     * @return the generator
     */
    public static <T> Gen<T> elements(List<? extends T> values) {
        List<? extends T> copy = List.copyOf(values);
        if (copy.isEmpty()) {
            throw new IllegalArgumentException("no values to choose from");
        }
        return source -> copy.get(source.pick(copy.size()));
    }

    /**
     * One of an enum's constants, each as likely; shrinks toward the first declared.
     *
     * @param <E> the enum
     * @param type the enum's class
     * @return the generator
     */
    public static <E extends Enum<E>> Gen<E> enums(Class<E> type) {
        return elements(type.getEnumConstants());
    }

    /**
     * A value of one of {@code alternatives}, each as likely; shrinks toward the first.
     *
     * @param <T> the type of the values
     * @param alternatives the generators, at least one
     * @return the generator
     */
    @SafeVarargs
    public static <T> Gen<T> oneOf(Gen<? extends T>... alternatives) {
        List<Gen<? extends T>> copy = new ArrayList<>(alternatives.length);
        for (Gen<? extends T> alternative : alternatives) {
            copy.add(alternative);
        }
        if (copy.isEmpty()) {
            throw new IllegalArgumentException("no alternatives");
        }
        return source -> copy.get(source.pick(copy.size())).generate(source);
    }

    /**
     * A generator with the weight it gets in {@link #frequency}.
     *
     * @param <T> the type of the values
     * @param weight how often, relative to the other alternatives' weights; positive
     * @param gen the generator
     * @return the weighted alternative
     */
    public static <T> Weighted<T> weighted(int weight, Gen<? extends T> gen) {
        return new Weighted<>(weight, gen);
    }

    /**
     * A value of one of {@code alternatives}, chosen in proportion to their weights; shrinks toward the first.
     *
     * @param <T> the type of the values
     * @param alternatives the weighted generators, at least one
     * @return the generator
     */
    @SafeVarargs
    public static <T> Gen<T> frequency(Weighted<? extends T>... alternatives) {
        List<Weighted<? extends T>> copy = new ArrayList<>(alternatives.length);
        for (Weighted<? extends T> alternative : alternatives) {
            copy.add(alternative);
        }
        int total = copy.stream().mapToInt(Weighted::weight).sum();
        if (copy.isEmpty() || total <= 0) {
            throw new IllegalArgumentException("no alternatives with a positive weight");
        }
        return source -> {
            int ticket = source.pick(total);
            for (Weighted<? extends T> alternative : copy) {
                if (ticket < alternative.weight()) {
                    return alternative.gen().generate(source);
                }
                ticket -= alternative.weight();
            }
            throw new AssertionError("ticket beyond the total weight");
        };
    }

    /**
     * Lists of {@code element}'s values, of a length from {@code minSize} to {@code maxSize}: in a fresh try the
     * length is uniform over the range, with a bias to the smallest, second-smallest and largest length.
     * Shrinks by removing elements (down to {@code minSize}) and by shrinking the elements.
     *
     * @param <T> the type of the elements
     * @param element the generator of each element
     * @param minSize the smallest length, at least 0
     * @param maxSize the largest length, at least {@code minSize}
     * @return the generator of unmodifiable lists
     */
    public static <T> Gen<List<T>> lists(Gen<T> element, int minSize, int maxSize) {
        if (minSize < 0 || maxSize < minSize) {
            throw new IllegalArgumentException("bad list size range [" + minSize + ", " + maxSize + "]");
        }
        return source -> {
            int target = minSize + source.steer(maxSize - minSize);
            List<T> list = new ArrayList<>();
            while (list.size() < maxSize && (list.size() < minSize || source.goOn(list.size() < target))) {
                list.add(element.generate(source));
            }
            return Collections.unmodifiableList(list);
        };
    }

    /**
     * Characters: half of them ASCII (0 to 0x7f), half from the whole Basic Multilingual Plane, surrogates and
     * non-characters included; shrinks toward {@code '\0'}.
     *
     * @return the generator
     */
    public static Gen<Character> chars() {
        return Gens.<Integer>oneOf(integers(0, 0x7f), integers(0, 0xffff)).map(c -> (char) c.intValue());
    }

    /**
     * Strings of {@link #chars()}, up to {@code maxLength} long; shrinks toward the empty string.
     *
     * @param maxLength the largest length
     * @return the generator
     */
    public static Gen<String> strings(int maxLength) {
        return lists(chars(), 0, maxLength).map(chars -> {
            StringBuilder s = new StringBuilder(chars.size());
            chars.forEach(s::append);
            return s.toString();
        });
    }

    /**
     * A generator and its weight, for {@link #frequency}.
     *
     * @param <T> the type of the values
     * @param weight how often, relative to the other alternatives' weights; positive
     * @param gen the generator
     */
    public record Weighted<T>(int weight, Gen<? extends T> gen) {
        /** Checks the weight. */
        public Weighted {
            if (weight <= 0) {
                throw new IllegalArgumentException("weight must be positive: " + weight);
            }
        }
    }
}
