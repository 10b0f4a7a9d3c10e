package dev.sockit.transport;

import dev.sockit.Endpoint;
import dev.sockit.Heartbeat;
import dev.sockit.transport.linux.Descriptors;
import dev.sockit.transport.linux.SocketActivation;
import dev.sockit.transport.linux.TcpOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A listening stream socket (TCP or Unix; or a Unix seqpacket one, which accepts the same way) and the loop that accepts from it, on a platform
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
     * How a stream listener binds.
     *
     * @param backlog     connections the kernel may queue before accept
     * @param socketMode  who may connect to a Unix socket file; ignored for TCP
     * @param reusePort   TCP: {@code SO_REUSEPORT}, several listeners on one port
     * @param userTimeout TCP: {@code TCP_USER_TIMEOUT} for every accepted connection; zero for none
     * @param keepalive   TCP: the accepted sockets' keepalive, set with {@code TCP_NODELAY} on the
     *                    listener for them to inherit where {@link Tcp#listenerCarriesOptions()};
     *                    null to leave them to each connection
     */
    public record Options(int backlog, Set<PosixFilePermission> socketMode, boolean reusePort, Duration userTimeout,
            Heartbeat.Keepalive keepalive) {

        /** Options that leave the accepted sockets' TCP options to each connection. */
        public Options(int backlog, Set<PosixFilePermission> socketMode, boolean reusePort, Duration userTimeout) {
            this(backlog, socketMode, reusePort, userTimeout, null);
        }
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
        return start(endpoint, new Options(backlog, socketMode, false, Duration.ZERO), onAccept, onFailure);
    }

    /**
     * Binds {@code endpoint}, TCP or Unix, with {@code options}, and starts accepting.
     *
     * @param onAccept  takes each accepted channel; must not block
     * @param onFailure told of each failed accept; the loop pauses briefly and goes on
     * @throws IOException saying why the endpoint cannot be bound
     */
    public static StreamListener start(Endpoint endpoint, Options options, Consumer<SocketChannel> onAccept,
            Consumer<Exception> onFailure) throws IOException {
        StreamListener listener;
        if (endpoint.kind().isUnix()) {
            // The JDK binds Unix stream sockets to files; an abstract name or a seqpacket socket takes system calls.
            Unix.Bound bound = endpoint.kind() == Endpoint.Kind.UNIX && !endpoint.isAbstract()
                    ? Unix.listen(endpoint, options.backlog(), options.socketMode())
                    : Unix.listenNative(endpoint, options.backlog(), options.socketMode());
            Runnable cleanup = bound.file() == null ? () -> {} : bound.file()::remove;
            listener = new StreamListener(bound.channel(), endpoint, cleanup, onAccept, onFailure);
        } else {
            ServerSocketChannel channel = Tcp.listen(endpoint, options.backlog(), options.reusePort(),
                    options.userTimeout(), options.keepalive());
            int port = ((InetSocketAddress) channel.getLocalAddress()).getPort();
            listener = new StreamListener(channel, endpoint.withPort(port), () -> {}, onAccept, onFailure);
        }
        listener.thread.start();
        return listener;
    }

    /**
     * Takes over the listening socket systemd passed (socket activation) and starts accepting.
     * The socket, and for a Unix socket its file, stay systemd's: closing stops accepting and
     * leaves the file.
     *
     * @param tls         whether the endpoint is {@code tls://} (a TCP socket, TLS on top)
     * @param userTimeout TCP: {@code TCP_USER_TIMEOUT} for every accepted connection; zero for none
     * @throws IOException when no socket was passed, or not one that listens for streams
     */
    public static StreamListener activated(boolean tls, Duration userTimeout, Consumer<SocketChannel> onAccept,
            Consumer<Exception> onFailure) throws IOException {
        Descriptors.Adopted adopted = SocketActivation.take();
        try {
            Endpoint endpoint;
            if (adopted.address() instanceof InetSocketAddress inet) {
                endpoint = Endpoint.of(tls ? Endpoint.Kind.TLS : Endpoint.Kind.TCP, inet);
                if (!userTimeout.isZero()) {
                    TcpOptions.userTimeout(adopted.fd(), userTimeout);
                }
            } else if (tls) {
                throw new IOException("the passed socket is a Unix socket (" + adopted.address() + "); TLS needs a TCP one");
            } else {
                String name = ((Descriptors.UnixName) adopted.address()).name();
                if (name.startsWith("@") || name.isEmpty()) {
                    throw new IOException("the passed Unix socket has no file (\"" + name + "\"); give the .socket unit a"
                            + " path: ListenStream=/run/NAME.sock");
                }
                endpoint = Endpoint.unix(Path.of(name));
            }
            StreamListener listener = new StreamListener(adopted.channel(), endpoint, () -> {}, onAccept, onFailure);
            listener.thread.start();
            return listener;
        } catch (IOException | RuntimeException e) {
            Tcp.closeQuietly(adopted.channel());
            throw e;
        }
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
