package dev.sockit.transport;

import dev.sockit.Endpoint;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A listening stream socket (TCP or Unix) and the loop that accepts from it, on a platform
 * thread of its own: one blocking accept at a time, each new channel handed to
 * {@code onAccept}, which must not block. Closing the listener ends the loop and, for a Unix
 * socket, removes its file.
 */
public final class StreamListener implements Listener {

    // When accept fails (out of file descriptors, most often), wait before trying again:
    // retrying at once would spin a core while nothing can succeed.
    private static final long ACCEPT_FAILURE_PAUSE_MILLIS = 100;

    private final ServerSocketChannel channel;
    private final Endpoint endpoint;
    private final Runnable cleanup;
    private final Thread thread;
    private volatile boolean closed;

    private StreamListener(ServerSocketChannel channel, Endpoint endpoint, Runnable cleanup,
            Consumer<SocketChannel> onAccept, Consumer<Exception> onFailure) {
        this.channel = channel;
        this.endpoint = endpoint;
        this.cleanup = cleanup;
        this.thread = Thread.ofPlatform().name("sockit-accept " + endpoint).daemon(false).unstarted(() -> {
            acceptLoop(onAccept, onFailure);
        });
    }

    /**
     * Binds {@code endpoint}, TCP or Unix, and starts accepting.
     *
     * @param socketMode who may connect to a Unix socket file; ignored for TCP
     * @param onAccept   takes each accepted channel; must not block
     * @param onFailure  told of each failed accept; the loop pauses briefly and goes on
     * @throws IOException saying why the endpoint cannot be bound
     */
    public static StreamListener start(Endpoint endpoint, int backlog, Set<PosixFilePermission> socketMode,
            Consumer<SocketChannel> onAccept, Consumer<Exception> onFailure) throws IOException {
        StreamListener listener;
        if (endpoint.kind() == Endpoint.Kind.UNIX) {
            Unix.Bound bound = Unix.listen(endpoint, backlog, socketMode);
            listener = new StreamListener(bound.channel(), endpoint, bound.file()::remove, onAccept, onFailure);
        } else {
            ServerSocketChannel channel = Tcp.listen(endpoint, backlog);
            int port = ((InetSocketAddress) channel.getLocalAddress()).getPort();
            listener = new StreamListener(channel, endpoint.withPort(port), () -> {}, onAccept, onFailure);
        }
        listener.thread.start();
        return listener;
    }

    @Override
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

    /** Stops accepting and unbinds (removing a Unix socket file); waits for the accept thread to end. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Tcp.closeQuietly(channel);
        // Remove the file once nothing listens on it: a client now hears "no such file", which
        // says what happened, rather than "connection refused".
        cleanup.run();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
