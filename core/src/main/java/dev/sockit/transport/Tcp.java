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
        return listen(endpoint, backlog, reusePort, userTimeout, null);
    }

    /**
     * Whether a listener can carry the options {@link #configure} sets on each connection, so
     * that the sockets it accepts have them without a system call each: on Linux, which copies
     * a listener's options into every socket it accepts, with native access (the JDK sets
     * {@code TCP_NODELAY} and {@code SO_KEEPALIVE} on connected sockets only). Elsewhere each
     * accepted socket is configured as it comes. Measured: docs/performance.md, "Connection churn".
     */
    public static boolean listenerCarriesOptions() {
        return LINUX && dev.sockit.transport.linux.Platform.usable();
    }

    private static final boolean LINUX = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("linux");

    /**
     * Binds a listening socket, with the options that only a listener takes, and, when
     * {@code keepalive} is given and {@link #listenerCarriesOptions()}, the options of
     * {@link #configure} for every socket it accepts to inherit.
     *
     * @param keepalive the accepted sockets' keepalive, set on the listener; null to leave
     *                  the accepted sockets to {@link #configure}
     * @throws IOException saying why, in words, e.g. the address is in use
     */
    public static ServerSocketChannel listen(Endpoint endpoint, int backlog, boolean reusePort, Duration userTimeout,
            Heartbeat.Keepalive keepalive) throws IOException {
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
            if (keepalive != null && listenerCarriesOptions()) {
                dev.sockit.transport.linux.TcpOptions.noDelayAndKeepalive(channel, keepalive.enabled());
                if (keepalive.enabled()) {
                    setKeepaliveTiming(channel, keepalive);
                }
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
        return connect(endpoint, timeout, Source.ANY);
    }

    /**
     * Where a client connects from: the local address and port to bind (null: the system
     * chooses), and the address family to keep of what the host name resolves to (null: any).
     */
    public record Source(InetSocketAddress bind, java.net.StandardProtocolFamily family) {
        /** The system chooses the address and port; any family. */
        public static final Source ANY = new Source(null, null);

        /** The family the target's addresses must have: the one asked for, else the bound address's. */
        java.net.StandardProtocolFamily effectiveFamily() {
            if (family != null || bind == null || bind.getAddress() == null || bind.getAddress().isAnyLocalAddress()) {
                return family;
            }
            return bind.getAddress() instanceof java.net.Inet4Address ? java.net.StandardProtocolFamily.INET
                    : java.net.StandardProtocolFamily.INET6;
        }
    }

    /**
     * Connects from {@code source}, to each of the endpoint's addresses of the source's family in turn.
     *
     * @throws IOException saying why, in words: refused, no address of that family, the source
     *     address cannot be bound
     */
    public static SocketChannel connect(Endpoint endpoint, Duration timeout, Source source) throws IOException {
        return connectToAny(endpoint, resolve(endpoint, source), timeout, source.bind());
    }

    /**
     * The endpoint's addresses, those of the source's family only.
     *
     * @throws IOException when the name is unknown, or has no address of that family
     */
    public static InetAddress[] resolve(Endpoint endpoint, Source source) throws IOException {
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(endpoint.host());
        } catch (UnknownHostException e) {
            throw Errors.connectFailed(endpoint, e);
        }
        java.net.StandardProtocolFamily family = source.effectiveFamily();
        if (family == null) {
            return addresses;
        }
        boolean v4 = family == java.net.StandardProtocolFamily.INET;
        InetAddress[] kept = java.util.Arrays.stream(addresses)
                .filter(a -> (a instanceof java.net.Inet4Address) == v4).toArray(InetAddress[]::new);
        if (kept.length == 0) {
            throw new java.net.ConnectException("cannot connect to " + endpoint + ": " + endpoint.host() + " has no "
                    + (v4 ? "IPv4" : "IPv6") + " address (asked for by " + (source.family() != null
                            ? (v4 ? "-4" : "-6") : "the source address " + source.bind().getAddress().getHostAddress())
                    + "); it has " + java.util.Arrays.stream(addresses).map(InetAddress::getHostAddress).toList());
        }
        return kept;
    }

    /** Connects to the first of {@code addresses} that answers, in order, each within {@code timeout}. */
    static SocketChannel connectToAny(Endpoint endpoint, InetAddress[] addresses, Duration timeout) throws IOException {
        return connectToAny(endpoint, addresses, timeout, null);
    }

    private static SocketChannel connectToAny(Endpoint endpoint, InetAddress[] addresses, Duration timeout,
            InetSocketAddress bind) throws IOException {
        IOException last = null;
        for (InetAddress address : addresses) {
            try {
                return connect(new InetSocketAddress(address, endpoint.port()), timeout, bind);
            } catch (BindException e) {
                throw e; // the same source address would fail for every target address
            } catch (IOException e) {
                last = e;
            }
        }
        throw Errors.connectFailed(endpoint, last);
    }

    /** The source address could not be bound: said with the address and what to do. */
    static final class BindException extends java.net.BindException {
        BindException(InetSocketAddress bind, Exception cause) {
            super("cannot connect from " + describe(bind) + ": " + cause.getMessage()
                    + " (choose another source port, or 0 to let the system choose; the address must be one of this host's)");
            initCause(cause);
        }

        private static String describe(InetSocketAddress bind) {
            String host = bind.getAddress() == null ? bind.getHostString() : bind.getAddress().getHostAddress();
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + bind.getPort();
        }
    }

    /** Sets the options every sockit TCP connection has, accepted or connected. */
    public static void configure(SocketChannel channel, Heartbeat.Keepalive keepalive) throws IOException {
        // sockit batches writes itself (flush when nothing more is queued), so Nagle would
        // only add delay to the last reply of every batch.
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        channel.setOption(StandardSocketOptions.SO_KEEPALIVE, keepalive.enabled());
        if (keepalive.enabled()) {
            setKeepaliveTiming(channel, keepalive);
        }
    }

    private static void setKeepaliveTiming(java.nio.channels.NetworkChannel channel, Heartbeat.Keepalive keepalive)
            throws IOException {
        setIfSupported(channel, ExtendedSocketOptions.TCP_KEEPIDLE, seconds(keepalive.idle()));
        setIfSupported(channel, ExtendedSocketOptions.TCP_KEEPINTERVAL, seconds(keepalive.interval()));
        setIfSupported(channel, ExtendedSocketOptions.TCP_KEEPCOUNT, keepalive.count());
    }

    private static int seconds(Duration d) {
        return d.isZero() ? 0 : (int) Math.min(Integer.MAX_VALUE, Math.max(1, d.toSeconds()));
    }

    // Zero keeps the system's value; an option the platform lacks is skipped, not an error.
    private static void setIfSupported(java.nio.channels.NetworkChannel channel, java.net.SocketOption<Integer> option,
            int value)
            throws IOException {
        if (value > 0 && channel.supportedOptions().contains(option)) {
            channel.setOption(option, value);
        }
    }

    private static SocketChannel connect(InetSocketAddress address, Duration timeout, InetSocketAddress bind)
            throws IOException {
        SocketChannel channel = SocketChannel.open();
        if (bind != null) {
            try {
                // A fixed source port is reused at once after its last connection, as ncat -p does.
                channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                channel.bind(bind);
            } catch (IOException | RuntimeException e) {
                closeQuietly(channel);
                throw new BindException(bind, e);
            }
        }
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
