package dev.sockit.transport;

import dev.sockit.CloseReason;
import dev.sockit.ConnectionStats;
import dev.sockit.TlsSession;
import dev.sockit.proxy.ProxyHeader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Optional;

/**
 * A {@link dev.sockit.Connection} over a stream socket channel (TCP, TLS or Unix) in blocking
 * mode, meant to be read by one virtual thread: how it is made (addresses, PROXY header, TLS,
 * an opening step), started (the TLS handshake, the opening, the greeting, the watchdogs) and
 * ended (half-close, drain, refusal, close), and what it tells about itself. Its parts and its
 * per-message path, receive and send, are {@link StreamCore}'s.
 */
public final class SocketConnection extends StreamCore {

    private final ProxyHeader proxyHeader; // null: no PROXY header

    /**
     * Wraps a connected channel, TCP or Unix, which it configures and from then on owns.
     *
     * @throws IOException when the socket is already unusable (the peer reset it at once)
     */
    public SocketConnection(long id, SocketChannel channel, ConnectionSettings settings) throws IOException {
        this(id, channel, settings, null, null, null, null);
    }

    /**
     * Wraps a connected channel, which it configures and from then on owns, with what may come
     * before the framing's conversation; each may be null:
     * <ul>
     *   <li>{@code tls}, TLS over the channel, its handshake run in {@link #start()};</li>
     *   <li>{@code proxied}, a PROXY protocol header read before: the connection's addresses are
     *       the header's when it names them (a LOCAL header, a health check, names none: the
     *       socket's stand), and the client's bytes read with it ({@code proxied.early()}) are
     *       read first, through TLS when there is TLS;</li>
     *   <li>{@code opening}, a step of its own (the WebSocket upgrade), run in {@link #start()}
     *       after TLS, which chooses the framing; until it has, nothing may be sent: the peer
     *       has not agreed to any framing yet;</li>
     *   <li>{@code peer}, the peer's address where the channel cannot say (a Unix socket
     *       connected by system calls, to an abstract name); null: the channel's own.</li>
     * </ul>
     *
     * @throws IOException when the socket is already unusable (the peer reset it at once)
     */
    public SocketConnection(long id, SocketChannel channel, ConnectionSettings settings, TlsChannel tls,
            ProxyHeaderReader.Result proxied, Opening opening, SocketAddress peer) throws IOException {
        SocketAddress socketRemote = peer != null ? peer : channel.getRemoteAddress();
        ProxyHeader header = proxied == null ? null : proxied.header();
        boolean told = header != null && header.hasAddresses();
        if (socketRemote instanceof InetSocketAddress && !settings.optionsInherited()) {
            // A Unix channel has no TCP options to set, and Java would refuse them; an accepted
            // socket whose listener carries them has them already.
            Tcp.configure(channel, settings.heartbeat().keepalive());
        }
        // The socket's kind, not the header's: a proxy may name TCP addresses over a Unix socket.
        super(id, opening != null ? (tls != null ? "wss" : "ws")
                        : tls != null ? "tls" : socketRemote instanceof InetSocketAddress ? "tcp" : "unix",
                told ? header.destination() : channel.getLocalAddress(), told ? header.source() : socketRemote,
                channel, tls, opening == null ? new FramingSlot(settings.framing()) : FramingSlot.unopened(opening), settings);
        this.proxyHeader = header;
        if (proxied != null) {
            if (tls != null) {
                tls.preload(proxied.early());
            } else {
                intake.preload(proxied.early());
            }
        }
    }

    /**
     * Starts the conversation: for TLS, the handshake (bounded by its timeout); then the
     * opening step, if the endpoint has one (a WebSocket endpoint's HTTP upgrade, which chooses
     * the framing); then the framing's greeting, if it has one, and the watchdogs. Called once,
     * before the handler runs.
     *
     * @throws TlsHandshakeException when the TLS handshake fails or times out, saying why
     * @throws IOException when the opening step refuses the peer or fails, saying why
     */
    @Override
    public void start() throws IOException {
        if (tls != null) {
            tls.handshake();
        }
        Opening opening = framing.opening(); // null unless the connection opens with a step of its own
        if (opening != null) {
            reader = Thread.currentThread();
            framing.choose(opening.open(new OpeningStream(channel, intake, output, remote())));
            decoder = framing.decoder(control);
            intake.openingDone();
        }
        byte[] greeting = framing.greeting();
        if (greeting != null) {
            pusher.pushFirst(greeting);
        }
        watchdogs.start();
    }

    @Override
    public void shutdownOutput() throws IOException {
        flush();
        byte[] end = framing.endOfOutput();
        if (end != null) {
            // The framing says it itself (a WebSocket close frame); the stream stays open for the
            // peer's last messages and its answer.
            output.lock();
            try {
                output.put(end, false);
                writeLocked();
                framing.outputEnded();
            } finally {
                output.unlock();
            }
            outputShut = true;
            return;
        }
        outputShut = true;
        if (tls == null) {
            channel.shutdownOutput();
        } else {
            tls.shutdownOutput();
        }
    }

    /**
     * Stops reading for a graceful shutdown: {@link #receive()} returns what is already
     * buffered and what the peer had sent by now, then end of stream, so the handler finishes
     * its loop and its replies go out. The connection then closes with {@code reason}; one
     * whose reader waits in a read with nothing to take closes now (see
     * {@link StreamCore#drainFor}). Safe from any thread: it asks the kernel, never the
     * reader's buffers.
     */
    @Override
    public void drain(CloseReason reason) {
        drainFor(reason);
    }

    @Override
    public void cutOff(CloseReason reason) {
        cutOffFor(reason);
    }

    /** The reason given to {@link #drain}, or null. */
    @Override
    public CloseReason drainReason() {
        return intake.drainReason();
    }

    /** True once the peer ended its stream (or the connection was closed under the reader). */
    @Override
    public boolean endOfStream() {
        return intake.endOfStream();
    }

    /**
     * Turns the peer away before any conversation (a limit reached at accept): the framing's
     * greeting first, if it has one, so that the peer can read the farewell that follows it
     * (a frames peer refuses a CLOSE that comes without a greeting), then the farewell.
     */
    public void refuse(CloseReason reason) {
        byte[] greeting = framing.greeting();
        if (greeting != null) {
            pusher.pushFirst(greeting);
        }
        close(reason);
    }

    @Override
    public void close(CloseReason reason) {
        if (closing(reason)) {
            closer().close(reason, readerElsewhere());
        } else if (onReader()) {
            closer().finishOnReader(); // closed by another thread, which left the end to the reader
        }
    }

    @Override
    public Optional<CloseReason> peerFarewell() {
        return Optional.ofNullable(control.farewell());
    }

    /** Bytes from the peer waiting unread in the kernel (0 for Unix sockets); for tests. */
    public int unreadBytes() {
        return intake.unread();
    }

    /**
     * For a test of what lowers a discarding stream's receive low-water mark besides a pause (a
     * drain): a pause then does not. Call it before the stream starts.
     */
    public void keepLowWaterThroughPauses() {
        intake.keepLowWaterThroughPauses();
    }

    /** The watchdogs, for tests that advance their clock over a waiting write. */
    public Watchdogs watchdogs() {
        return watchdogs;
    }

    @Override
    public Optional<Duration> roundTrip() {
        return watchdogs.roundTrip();
    }

    @Override
    public Optional<TlsSession> tls() {
        return tls == null ? Optional.empty() : tls.session();
    }

    @Override
    public Optional<ProxyHeader> proxyHeader() {
        return Optional.ofNullable(proxyHeader);
    }

    @Override
    public ConnectionStats stats() {
        return new ConnectionStats(openedAt(), messagesIn, output.messagesOut(), intake.bytesIn(), output.bytesOut(),
                pusher.droppedCount(), pusher.queuedBytes());
    }
}
