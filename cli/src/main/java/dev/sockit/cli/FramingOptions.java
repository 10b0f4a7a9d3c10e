package dev.sockit.cli;

import dev.sockit.Endpoint;
import dev.sockit.framing.Framing;
import dev.sockit.framing.Frames;
import dev.sockit.framing.Lines;
import dev.sockit.framing.Raw;
import picocli.CommandLine.Option;

/** The framing options that server and client share. */
final class FramingOptions {

    enum Kind { lines, frames, raw }

    // No picocli default: over UDP, unixgram and seqpacket a datagram or packet is the message, and only an
    // explicit choice is checked.
    @Option(names = "--framing", paramLabel = "lines|frames|raw",
            description = "How bytes become messages: lines (UTF-8, \\n or \\r\\n); frames (length-prefixed, with ping, "
                    + "pong and close: docs/protocol.md); raw (bytes as they come). Both ends must agree. Default: lines; "
                    + "none over udp://, unixgram: and unix+seqpacket:, which keep each message whole (raw means the same).")
    Kind framing;

    @Option(names = "--max-frame", paramLabel = "BYTES", defaultValue = "1048576",
            description = "frames: the largest message accepted; a larger frame closes the connection. Default: ${DEFAULT-VALUE}.")
    int maxFrame = Frames.DEFAULT_MAX_LENGTH;

    @Option(names = "--max-line", paramLabel = "BYTES", defaultValue = "65536",
            description = "The longest line accepted, in bytes; a longer one gets 'error: line longer than BYTES bytes' and the connection is closed. Default: ${DEFAULT-VALUE}.")
    int maxLine = Lines.DEFAULT_MAX_LENGTH;

    Framing framing() {
        if (maxLine < 1) {
            throw new IllegalArgumentException("--max-line must be at least 1 byte, not " + maxLine);
        }
        return switch (kind()) {
            case lines -> Lines.maxLength(maxLine);
            case frames -> Frames.maxLength(maxFrame);
            case raw -> Raw.bytes();
        };
    }

    /**
     * How standard input and output are cut for people and scripts: lines for lines and
     * frames (each typed line is one message), chunks for raw.
     */
    Framing console() {
        return kind() == Kind.raw ? Raw.bytes() : Lines.maxLength(kind() == Kind.frames ? maxFrame : maxLine);
    }

    /** The framing asked for, lines if none. */
    Kind kind() {
        return framing == null ? Kind.lines : framing;
    }

    /**
     * True when the framing is to be given to the endpoint: always for streams; for UDP, unixgram and seqpacket,
     * which keep each message whole, only when the user chose one, so that the choice is checked (and refused
     * unless raw).
     */
    boolean appliesTo(Endpoint endpoint) {
        boolean messages = switch (endpoint.kind()) {
            case UDP, UNIXGRAM, UNIX_SEQPACKET -> true;
            default -> false;
        };
        return !messages || framing != null;
    }
}
