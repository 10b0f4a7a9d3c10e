package dev.sockit.bench;

import java.io.IOException;
import java.util.Locale;

/**
 * A server raced in the benchmarks: it answers every line, either with the line itself
 * ({@link Mode#ECHO}) or with one fixed reply ({@link Mode#ACK}); or, for the bulk case, it
 * reads raw bytes and answers nothing ({@link Mode#DISCARD}). Each implementation is
 * written the way its own framework's users write one, so the race compares idioms, not
 * tuning tricks.
 */
public interface LineServer extends AutoCloseable {

    /** What a server answers. */
    enum Mode {
        /** Each line back as it came. */
        ECHO,
        /** The fixed reply to every line. */
        ACK,
        /** Nothing: raw bytes, no framing, read and dropped, as a bulk transfer's far end. */
        DISCARD;

        /**
         * Reads {@code echo}, {@code ack} or {@code discard}.
         *
         * @throws IllegalArgumentException naming the choices
         */
        public static Mode parse(String text) {
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "echo" -> ECHO;
                case "ack" -> ACK;
                case "discard" -> DISCARD;
                default -> throw new IllegalArgumentException("unknown mode \"" + text + "\"; choose echo, ack or discard");
            };
        }
    }

    /** The port it listens on: the one the system chose, for port 0. */
    int port();

    /** Blocks until the server is closed. */
    void awaitClosed() throws InterruptedException;

    /** Stops accepting and closes every connection. */
    @Override
    void close() throws IOException;
}
