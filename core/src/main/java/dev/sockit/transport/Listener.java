package dev.sockit.transport;

import dev.sockit.Endpoint;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;

/**
 * What a server listens with: a bound socket and the loop, on a platform thread of its own,
 * that turns what arrives into connections. Streams (TCP, Unix) accept; UDP demultiplexes
 * datagrams into one session per peer.
 *
 * <p>Stopping has two steps because a UDP server's sessions reply from the listening socket:
 * {@link #close()} stops taking new connections and input, {@link #release()} (after the
 * connections have closed) frees the socket.
 */
public interface Listener extends AutoCloseable {

    /**
     * Binds a TCP {@code endpoint} and starts accepting; see {@link StreamListener#start}.
     *
     * @throws IOException saying why the endpoint cannot be bound
     */
    static Listener start(Endpoint endpoint, int backlog, Consumer<SocketChannel> onAccept,
            Consumer<Exception> onFailure) throws IOException {
        return StreamListener.start(endpoint, backlog, Unix.DEFAULT_MODE, onAccept, onFailure);
    }

    /** The endpoint as bound, with the port the system chose for port 0. */
    Endpoint endpoint();

    /** Stops taking new connections and input (a Unix socket file is removed here). Never throws. */
    @Override
    void close();

    /** Frees what the closed connections shared; does nothing for streams. Never throws. */
    default void release() {}
}
