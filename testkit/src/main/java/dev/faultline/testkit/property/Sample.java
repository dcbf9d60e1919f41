package dev.faultline.testkit.property;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What one try of a property draws its values from. Each value is drawn under a label; a failure report lists
 * the labels with the values drawn, in order. Not thread-safe: one sample serves one try.
 */
public final class Sample {
    private final Source source;
    private final @Nullable Map<Object, Long> classes;
    private final List<String> drawn = new ArrayList<>();

    Sample(Source source, @Nullable Map<Object, Long> classes) {
        this.source = source;
        this.classes = classes;
    }

    /**
     * Draws a value.
     *
     * @param <T> the type of the value
     * @param label how a failure report names the value
     * @param gen the generator
     * @return the value
     */
    public <T> T draw(String label, Gen<T> gen) {
        T value = gen.generate(source);
        drawn.add(label + " = " + Values.describe(value));
        return value;
    }

    /**
     * Draws a value, named by its position in a failure report ({@code #1}, {@code #2}, ...).
     *
     * @param <T> the type of the value
     * @param gen the generator
     * @return the value
     */
    public <T> T draw(Gen<T> gen) {
        return draw("#" + (drawn.size() + 1), gen);
    }

    /**
     * Counts this try under {@code label}, for {@link Property#cover}: a check that every label the property
     * should reach was reached in some try. Tries run while shrinking or replaying one seed count nothing.
     *
     * @param label what this try reached (an outcome, a case)
     */
    public void classify(Object label) {
        if (classes != null) {
            classes.merge(label, 1L, Long::sum);
        }
    }

    /** The labelled values drawn so far. */
    List<String> drawn() {
        return List.copyOf(drawn);
    }

    /** The choices made so far. */
    long[] choices() {
        return source.choices();
    }
}
