package dev.faultline.itests.faultlog;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Cases of the repository's real-log corpus, {@code testdata/real-fault-logs.jsonl}. */
final class Corpus {
    private static final Path FILE = Path.of("testdata", "real-fault-logs.jsonl");

    private Corpus() {
    }

    /** The verbatim log of case {@code id}, written to a file in {@code dir}. */
    static Path logFile(String id, Path dir) throws IOException {
        return Files.writeString(dir.resolve(id + ".log"), log(id), StandardCharsets.UTF_8);
    }

    /** The verbatim log of case {@code id}. */
    static String log(String id) throws IOException {
        for (String line : Files.readAllLines(file(), StandardCharsets.UTF_8)) {
            if (line.startsWith("{\"id\": \"" + id + "\"")) {
                return jsonString(line, line.indexOf("\"log\": \"") + "\"log\": \"".length());
            }
        }
        throw new IllegalArgumentException("no case " + id + " in " + file());
    }

    /** The corpus file at the repository root, found by walking up from the working directory. */
    private static Path file() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(FILE))) {
                return dir.resolve(FILE);
            }
        }
        throw new IllegalStateException("no " + FILE + " above " + Path.of("").toAbsolutePath());
    }

    /** The JSON string starting at {@code at} (after its opening quote), unescaped. */
    private static String jsonString(String json, int at) {
        StringBuilder sb = new StringBuilder();
        for (int i = at; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c == '"') {
                return sb.toString();
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            char e = json.charAt(++i);
            switch (e) {
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'r' -> sb.append('\r');
                case 'u' -> {
                    sb.append((char) Integer.parseInt(json.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> sb.append(e);
            }
        }
        throw new IllegalArgumentException("unterminated JSON string");
    }
}
