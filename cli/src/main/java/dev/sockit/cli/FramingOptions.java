package dev.sockit.cli;

import dev.sockit.framing.Framing;
import dev.sockit.framing.Lines;
import dev.sockit.framing.Raw;
import picocli.CommandLine.Option;

/** The framing options that server and client share. */
final class FramingOptions {

    enum Kind { lines, raw }

    @Option(names = "--framing", paramLabel = "lines|raw", defaultValue = "lines",
            description = "How bytes become messages: lines (UTF-8, \\n or \\r\\n) or raw (bytes as they come). Default: ${DEFAULT-VALUE}.")
    Kind framing = Kind.lines;

    @Option(names = "--max-line", paramLabel = "BYTES", defaultValue = "65536",
            description = "The longest line accepted, in bytes; a longer one gets 'error: line longer than BYTES bytes' and the connection is closed. Default: ${DEFAULT-VALUE}.")
    int maxLine = Lines.DEFAULT_MAX_LENGTH;

    Framing framing() {
        if (maxLine < 1) {
            throw new IllegalArgumentException("--max-line must be at least 1 byte, not " + maxLine);
        }
        return switch (framing) {
            case lines -> Lines.maxLength(maxLine);
            case raw -> Raw.bytes();
        };
    }
}
