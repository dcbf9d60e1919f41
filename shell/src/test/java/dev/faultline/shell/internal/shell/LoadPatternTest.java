package dev.faultline.shell.internal.shell;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LoadPatternTest {
    private static final long BASE = 0x4000_0000L;
    private static final long WINDOW = LoadPattern.WINDOW_PAGES * LoadPattern.PAGE;

    @Test
    void sequentialTouchesTheNextPageEachTimeAndWrapsAtTheWindowsEnd() {
        SplittableRandom random = new SplittableRandom(1);

        assertThat(LoadPattern.SEQUENTIAL.address(BASE, 0, random)).isEqualTo(BASE + 8);
        assertThat(LoadPattern.SEQUENTIAL.address(BASE, 1, random)).isEqualTo(BASE + 0x1000 + 8);
        assertThat(LoadPattern.SEQUENTIAL.address(BASE, LoadPattern.WINDOW_PAGES, random)).isEqualTo(BASE + 8);
    }

    @Test
    void sameTouchesOnePageAndRandomStaysInTheWindowRepeatablyForASeed() {
        SplittableRandom random = new SplittableRandom(1);
        SplittableRandom again = new SplittableRandom(1);
        Set<Long> pages = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            assertThat(LoadPattern.SAME.address(BASE, i, random)).isEqualTo(BASE + 8);
            long address = LoadPattern.RANDOM.address(BASE, i, random);
            assertThat(address).isBetween(BASE, BASE + WINDOW - 1);
            assertThat(address % LoadPattern.PAGE).isEqualTo(8);
            assertThat(LoadPattern.RANDOM.address(BASE, i, again)).isEqualTo(address);
            pages.add(address);
        }
        assertThat(pages).hasSizeGreaterThan(900);
    }
}
