package dev.faultline.examples.driver;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The root README's handler snippet is this module's driver example, character for character. */
class ReadmeSnippetTest {
    private static final Path README = Path.of("..", "README.md");
    private static final Path SOURCE = Path.of("src/main/java/dev/faultline/examples/driver/DmaEngineFaults.java");

    @Test
    void readmeHandlerSnippetIsTheDriverExampleSource() throws IOException {
        String snippet = javaBlockUnderHeading(Files.readAllLines(README, StandardCharsets.UTF_8),
                "your own fault handler");

        assertThat(snippet).isEqualTo(Files.readString(SOURCE, StandardCharsets.UTF_8));
    }

    /** The first fenced {@code java} block after the first heading containing {@code headingText}. */
    static String javaBlockUnderHeading(List<String> lines, String headingText) {
        int i = 0;
        while (i < lines.size() && !(lines.get(i).startsWith("#")
                && lines.get(i).toLowerCase(java.util.Locale.ROOT).contains(headingText))) {
            i++;
        }
        if (i == lines.size()) {
            throw new AssertionError("README.md has no heading containing '" + headingText + "'");
        }
        while (i < lines.size() && !lines.get(i).equals("```java")) {
            if (i > 0 && lines.get(i).startsWith("#") && !lines.get(i).toLowerCase(java.util.Locale.ROOT)
                    .contains(headingText)) {
                throw new AssertionError("the section '" + headingText + "' has no ```java block");
            }
            i++;
        }
        StringBuilder block = new StringBuilder();
        for (i++; i < lines.size() && !lines.get(i).equals("```"); i++) {
            block.append(lines.get(i)).append('\n');
        }
        if (i == lines.size()) {
            throw new AssertionError("the ```java block under '" + headingText + "' is not closed");
        }
        return block.toString();
    }
}
