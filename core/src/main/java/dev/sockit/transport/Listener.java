package dev.sockit.transport;

import dev.sockit.Endpoint;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;

/**
 * A bound socket and the loop that accepts from it, on a platform thread of its own: one
 * blocking accept at a time, each new channel handed to {@code onAccept}, which must not
 * block. Closing the listener ends the loop.
 */
public final class Listener implements AutoCloseable {

    // When accept fails (out of file descriptors, most often), wait before trying again:
    // retrying at once would spin a core while nothing can succeed.
    private static final long ACCEPT_FAILURE_PAUSE_MILLIS = 100;

    private final ServerSocketChannel channel;
    private final Endpoint endpoint;
    private final Thread thread;
    private volatile boolean closed;

    private Listener(ServerSocketChannel channel, Endpoint endpoint, Consumer<SocketChannel> onAccept,
            Consumer<Exception> onFailure) {
        this.channel = channel;
        this.endpoint = endpoint;
        this.thread = Thread.ofPlatform().name("sockit-accept " + endpoint).daemon(false).unstarted(() -> {
            acceptLoop(onAccept, onFailure);
        });
    }

    /**
     * Binds {@code endpoint} and starts accepting.
     *
     * @param onAccept  takes each accepted channel; must not block
     * @param onFailure told of each failed accept; the loop pauses briefly and goes on
     * @throws IOException saying why the endpoint cannot be bound
     */
    public static Listener start(Endpoint endpoint, int backlog, Consumer<SocketChannel> onAccept,
            Consumer<Exception> onFailure) throws IOException {
        ServerSocketChannel channel = Tcp.listen(endpoint, backlog);
        int port = ((InetSocketAddress) channel.getLocalAddress()).getPort();
        Listener listener = new Listener(channel, endpoint.withPort(port), onAccept, onFailure);
        listener.thread.start();
        return listener;
    }

    /** The endpoint as bound, with the port the system chose for port 0. */
    public Endpoint endpoint() {
        return endpoint;
    }

    private void acceptLoop(Consumer<SocketChannel> onAccept, Consumer<Exception> onFailure) {
        while (!closed) {
            try {
                onAccept.accept(channel.accept());
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException | RuntimeException e) {
                if (closed) {
                    return;
                }
                onFailure.accept(e);
                try {
                    Thread.sleep(ACCEPT_FAILURE_PAUSE_MILLIS);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    /** Stops accepting and unbinds; waits for the accept thread to end. */
    @Override
    public void close() {
        closed = true;
        Tcp.closeQuietly(channel);
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
