package dev.sockit.bench;

import java.io.IOException;
import java.util.Locale;

/**
 * A line server raced in the benchmarks: it answers every line, either with the line itself
 * ({@link Mode#ECHO}) or with one fixed reply ({@link Mode#ACK}). Each implementation is
 * written the way its own framework's users write one, so the race compares idioms, not
 * tuning tricks.
 */
public interface LineServer extends AutoCloseable {

    /** What a line server answers. */
    enum Mode {
        /** Each line back as it came. */
        ECHO,
        /** The fixed reply to every line. */
        ACK;

        /**
         * Reads {@code echo} or {@code ack}.
         *
         * @throws IllegalArgumentException naming the choices
         */
        public static Mode parse(String text) {
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "echo" -> ECHO;
                case "ack" -> ACK;
                default -> throw new IllegalArgumentException("unknown mode \"" + text + "\"; choose echo or ack");
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
