package dev.faultline.testkit.property;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One run of a property body: the choices it made, the labelled values it drew, and how it failed, or
 * {@code null} if it passed.
 */
record Attempt(long[] choices, List<String> drawn, @Nullable Throwable failure) {
}
