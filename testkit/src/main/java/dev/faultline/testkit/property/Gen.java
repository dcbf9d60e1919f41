package dev.faultline.testkit.property;

import java.util.List;
import java.util.function.Function;

/**
 * A generator of values of type {@code T}: draws every random decision it makes from a {@link Source}, so
 * that the same choices give the same value and that smaller choices give a simpler value. {@link Gens} has
 * the basic generators; compose them with {@link #map}, {@link #flatMap}, {@link #list} or a lambda that calls
 * other generators' {@link #generate}, and the composition shrinks like its parts.
 *
 * @param <T> the type of the values
 */
@FunctionalInterface
public interface Gen<T> {
    /**
     * Generates one value.
     *
     * @param source where every random decision comes from
     * @return the value
     */
    T generate(Source source);

    /**
     * A generator of this generator's values turned into others.
     *
     * @param <R> the type of the new values
     * @param mapper turns a value into the new one; a pure function
     * @return the generator
     */
    default <R> Gen<R> map(Function<? super T, ? extends R> mapper) {
        return source -> mapper.apply(generate(source));
    }

    /**
     * A generator that draws a value from this generator, then a value from the generator it chooses.
     *
     * @param <R> the type of the new values
     * @param next the generator to draw from, for each value of this one
     * @return the generator
     */
    default <R> Gen<R> flatMap(Function<? super T, ? extends Gen<? extends R>> next) {
        return source -> next.apply(generate(source)).generate(source);
    }

    /**
     * A generator of lists of this generator's values, as {@link Gens#lists}.
     *
     * @param minSize the smallest length
     * @param maxSize the largest length
     * @return the generator
     */
    default Gen<List<T>> list(int minSize, int maxSize) {
        return Gens.lists(this, minSize, maxSize);
    }
}
