package dev.faultline.faultlog;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/** Where the commands read a log from: a file, or standard input for {@code -} or no file. */
final class LogInput {
    private LogInput() {
    }

    /**
     * Decodes {@code file}, or {@code in} for {@code null} or {@code -}. Bytes that are not UTF-8 are replaced,
     * not rejected.
     *
     * @throws IOException if the input cannot be read
     */
    static DecodedLog decode(LogDecoder decoder, @Nullable String file, InputStream in) throws IOException {
        if (file == null || file.equals("-")) {
            return decoder.decode(new InputStreamReader(in, StandardCharsets.UTF_8));
        }
        return decoder.decode(Path.of(file));
    }

    /** {@code <file>: no such file}, {@code standard input: <message>}. */
    static String describe(String file, IOException e) {
        String what = file == null || file.equals("-") ? "standard input" : file;
        return e instanceof NoSuchFileException ? what + ": no such file" : what + ": " + e.getMessage();
    }
}
