package dev.sockit.transport;

import dev.sockit.framing.Framing;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * A step a stream connection runs once, before its framing is known: the HTTP upgrade of a
 * WebSocket connection. It reads and writes the raw stream (after TLS, if any) and returns
 * the framing the rest of the connection speaks, or null when it has answered the peer
 * itself (a web page, a refusal) and the connection ends there. Bytes the peer sent after
 * the opening stay in {@link Io#buffer()} for the framing's decoder.
 */
public interface Opening {

    /**
     * Runs the opening on the connection's own thread, before the handler.
     *
     * @return the framing for the rest of the connection, or null when the connection ends
     * @throws IOException when the peer broke off or the step failed; the connection closes
     */
    Framing open(Io io) throws IOException;

    /** What an opening may do with the connection's stream. */
    interface Io {
        /** What has arrived and is not yet consumed, in read mode; consume by moving its position. */
        ByteBuffer buffer();

        /** Reads once more into {@link #buffer()}: the bytes read, or -1 at end of stream. */
        int read() throws IOException;

        /**
         * Writes {@code bytes} now, in full. The write timeout does not watch it: the opening
         * bounds its whole exchange, writes too, by its own deadline and {@link #abort()}.
         */
        void write(byte[] bytes) throws IOException;

        /** Closes the socket under a blocked {@link #read()} or {@link #write}: how a deadline ends the opening. */
        void abort();

        /** The peer's address, for error messages. */
        SocketAddress remote();
    }
}
