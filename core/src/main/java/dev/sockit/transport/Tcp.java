package dev.sockit.transport;

import dev.sockit.Endpoint;
import dev.sockit.Heartbeat;
import jdk.net.ExtendedSocketOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.channels.AsynchronousCloseException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;

/** Opens TCP sockets: a listening channel for a server, a connected channel for a client. No framing. */
public final class Tcp {

    private Tcp() {}

    /**
     * Binds a listening socket.
     *
     * @param backlog how many connections the kernel may queue before accept (it caps this
     *     at net.core.somaxconn)
     * @throws IOException saying why, in words, e.g. the address is in use
     */
    public static ServerSocketChannel listen(Endpoint endpoint, int backlog) throws IOException {
        return listen(endpoint, backlog, false, Duration.ZERO);
    }

    /**
     * Binds a listening socket, with the options that only a listener takes.
     *
     * @param reusePort   {@code SO_REUSEPORT}: several sockets (in one process or several) may
     *                    listen on the same address and port, all with this option, and the
     *                    kernel spreads new connections over them
     * @param userTimeout {@code TCP_USER_TIMEOUT} for every accepted connection (they inherit it
     *                    from the listener); zero for the system's rule
     * @throws IOException saying why, in words, e.g. the address is in use
     */
    public static ServerSocketChannel listen(Endpoint endpoint, int backlog, boolean reusePort, Duration userTimeout)
            throws IOException {
        ServerSocketChannel channel = ServerSocketChannel.open();
        try {
            // Lets a restarted server bind while the old one's connections sit in TIME_WAIT;
            // on Linux it never lets two servers listen on one port.
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            if (reusePort) {
                if (!channel.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
                    throw new IOException("SO_REUSEPORT is not supported on " + System.getProperty("os.name")
                            + " (--reuse-port needs Linux or a BSD)");
                }
                channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            channel.bind(endpoint.socketAddress(), backlog);
        } catch (IOException | RuntimeException e) {
            channel.close();
            IOException failure = Errors.listenFailed(endpoint, e);
            if (reusePort && failure.getMessage().contains("already in use")) {
                // The kernel shares a port only among sockets that all asked for it.
                throw new IOException(failure.getMessage() + "; every server on the port needs --reuse-port"
                        + " (SO_REUSEPORT), the one already there too", e);
            }
            throw failure;
        }
        try {
            if (!userTimeout.isZero()) {
                dev.sockit.transport.linux.TcpOptions.userTimeout(channel, userTimeout);
            }
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw new IOException("cannot listen on " + endpoint + ": " + e.getMessage(), e);
        }
    }

    /**
     * Sets {@code TCP_USER_TIMEOUT} on a connected client channel, unless zero.
     *
     * @throws IOException saying why the kernel refused it
     */
    public static void userTimeout(SocketChannel channel, Duration userTimeout) throws IOException {
        if (!userTimeout.isZero()) {
            dev.sockit.transport.linux.TcpOptions.userTimeout(channel, userTimeout);
        }
    }

    /**
     * Connects to the endpoint, trying each address its host name resolves to in turn, each
     * within {@code timeout}.
     *
     * @throws IOException saying why, in words, e.g. connection refused
     */
    public static SocketChannel connect(Endpoint endpoint, Duration timeout) throws IOException {
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(endpoint.host());
        } catch (UnknownHostException e) {
            throw Errors.connectFailed(endpoint, e);
        }
        return connectToAny(endpoint, addresses, timeout);
    }

    /** Connects to the first of {@code addresses} that answers, in order, each within {@code timeout}. */
    static SocketChannel connectToAny(Endpoint endpoint, InetAddress[] addresses, Duration timeout) throws IOException {
        IOException last = null;
        for (InetAddress address : addresses) {
            try {
                return connect(new InetSocketAddress(address, endpoint.port()), timeout);
            } catch (IOException e) {
                last = e;
            }
        }
        throw Errors.connectFailed(endpoint, last);
    }

    /** Sets the options every sockit TCP connection has, accepted or connected. */
    public static void configure(SocketChannel channel, Heartbeat.Keepalive keepalive) throws IOException {
        // sockit batches writes itself (flush when nothing more is queued), so Nagle would
        // only add delay to the last reply of every batch.
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        channel.setOption(StandardSocketOptions.SO_KEEPALIVE, keepalive.enabled());
        if (keepalive.enabled()) {
            setIfSupported(channel, ExtendedSocketOptions.TCP_KEEPIDLE, seconds(keepalive.idle()));
            setIfSupported(channel, ExtendedSocketOptions.TCP_KEEPINTERVAL, seconds(keepalive.interval()));
            setIfSupported(channel, ExtendedSocketOptions.TCP_KEEPCOUNT, keepalive.count());
        }
    }

    private static int seconds(Duration d) {
        return d.isZero() ? 0 : (int) Math.min(Integer.MAX_VALUE, Math.max(1, d.toSeconds()));
    }

    // Zero keeps the system's value; an option the platform lacks is skipped, not an error.
    private static void setIfSupported(SocketChannel channel, java.net.SocketOption<Integer> option, int value)
            throws IOException {
        if (value > 0 && channel.supportedOptions().contains(option)) {
            channel.setOption(option, value);
        }
    }

    private static SocketChannel connect(InetSocketAddress address, Duration timeout) throws IOException {
        SocketChannel channel = SocketChannel.open();
        try {
            connectWithin(channel, address, timeout);
            return channel;
        } catch (AsynchronousCloseException e) {
            throw new java.net.SocketTimeoutException("no answer within " + Durations.format(timeout)
                    + " (is the host up, and the port open in its firewall?)");
        }
    }

    /**
     * Connects a blocking channel within {@code timeout}; on any failure the channel is closed.
     * A blocking channel's connect has no timeout of its own: a deadline closes it. Whichever
     * settles first wins, so a deadline that fires just as the connect returns cannot close a
     * channel that is about to be handed back as connected.
     *
     * @throws AsynchronousCloseException when the timeout passed first
     */
    static void connectWithin(SocketChannel channel, java.net.SocketAddress address, Duration timeout)
            throws IOException {
        AtomicBoolean settled = new AtomicBoolean();
        ScheduledFuture<?> deadline = Timer.after(timeout, () -> {
            if (settled.compareAndSet(false, true)) {
                closeQuietly(channel);
            }
        });
        try {
            channel.connect(address);
            if (!settled.compareAndSet(false, true)) {
                throw new AsynchronousCloseException(); // the deadline won: it is closing the channel
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            throw e;
        } finally {
            deadline.cancel(false);
        }
    }

    static void closeQuietly(java.io.Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException ignored) {
            // Closing is the last thing done with a socket; there is nothing left to tell.
        }
    }
}
