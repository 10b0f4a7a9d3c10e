package dev.sockit.transport;

import dev.sockit.CloseReason;
import dev.sockit.ClosedConnectionException;
import dev.sockit.ConnectionStats;
import dev.sockit.Message;
import dev.sockit.Observer;
import dev.sockit.Peers;
import dev.sockit.TlsSession;
import dev.sockit.framing.Framing;
import dev.sockit.framing.FramingException;
import dev.sockit.proxy.ProxyHeader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * A {@link dev.sockit.Connection} over a stream socket channel (TCP, TLS or Unix) in blocking
 * mode, meant to be read by one virtual thread. It is assembled from parts with one job each:
 *
 * <pre>
 * Intake     the read buffer and the pacing of reads (quiet buffer, growth, spin, yield), drain
 * Output     the write buffer under the write lock; batches; the only place that writes
 * Pusher     what other threads send: the overflow policy over an Outbox (bounded, reserved
 *            atomically, with a real signal), written by one drainer
 * Watchdogs  heartbeat, idle timeout and write timeout, on one injectable Clock
 * Closer     farewell, linger, release
 * </pre>
 *
 * The hot path: {@code receive()} decodes from the read buffer; with nothing whole there it
 * flushes the replies, then reads once. {@code send()} by the reader encodes into the write
 * buffer and writes now, unless the reader has more input to work through (then its next
 * wait flushes the whole batch in one write). Sends from any other thread join the outbox.
 */
public final class SocketConnection extends AbstractConnection {

    private final SocketChannel channel;
    // Null for plain TCP and Unix, whose reads and writes go to the channel itself: only TLS
    // connections pay for the wrapper.
    private final TlsChannel tls;
    // The framing, or a slot an opening fills (WebSocket): the parts hold the slot and follow it.
    private final FramingSlot framing;
    // Null unless the connection opens with a step of its own (the WebSocket upgrade).
    private final Opening opening;
    // Replaced once, by start(), when an opening chose the framing; read by the reader only.
    private Framing.Decoder decoder;
    private final Observer observer;
    private final ProxyHeader proxyHeader; // null: no PROXY header

    private final Intake intake;
    private final Output output;
    private final Pusher pusher;
    private final Watchdogs watchdogs;
    private final Closer closer;
    private final PeerControl control;

    private volatile Thread reader;
    private volatile long messagesIn;
    private volatile boolean outputShut;

    /**
     * Wraps a connected channel, TCP or Unix, which it configures and from then on owns.
     *
     * @throws IOException when the socket is already unusable (the peer reset it at once)
     */
    public SocketConnection(long id, SocketChannel channel, ConnectionSettings settings) throws IOException {
        this(id, channel, settings, null, null, null);
    }

    /**
     * Wraps a connected channel, with TLS over it or not ({@code tls} may be null), whose
     * conversation begins with {@code opening} (the WebSocket upgrade), run in {@link #start()}
     * after the TLS handshake; the opening chooses the framing. Until it has, nothing may be
     * sent: the peer has not agreed to any framing yet.
     *
     * @throws IOException when the socket is already unusable (the peer reset it at once)
     */
    public SocketConnection(long id, SocketChannel channel, ConnectionSettings settings, TlsChannel tls,
            Opening opening) throws IOException {
        this(id, channel, settings, tls, null, opening);
    }

    /**
     * A connection whose peer is {@code peer}, where the channel cannot say (a Unix socket
     * connected by system calls, to an abstract name); null: the channel's own.
     */
    public SocketConnection(long id, SocketChannel channel, ConnectionSettings settings, TlsChannel tls,
            SocketAddress peer) throws IOException {
        this(id, channel, settings, tls, null, null, peer);
    }

    /**
     * Wraps a connected channel: with TLS over it or not ({@code tls} may be null; its handshake
     * runs in {@link #start()}), with an opening step or not ({@code opening} may be null; see
     * above), after a PROXY protocol header or not ({@code proxied} may be null). With a header,
     * the connection's addresses are the header's when it names them (a LOCAL header, a health
     * check, names none: the socket's stand), and the client's bytes read with the header
     * ({@code proxied.early()}) are read first, through TLS when there is TLS.
     *
     * @throws IOException when the socket is already unusable (the peer reset it at once)
     */
    public SocketConnection(long id, SocketChannel channel, ConnectionSettings settings, TlsChannel tls,
            ProxyHeaderReader.Result proxied, Opening opening) throws IOException {
        this(id, channel, settings, tls, proxied, opening, null);
    }

    private SocketConnection(long id, SocketChannel channel, ConnectionSettings settings, TlsChannel tls,
            ProxyHeaderReader.Result proxied, Opening opening, SocketAddress peer) throws IOException {
        SocketAddress socketRemote = peer != null ? peer : channel.getRemoteAddress();
        ProxyHeader header = proxied == null ? null : proxied.header();
        boolean told = header != null && header.hasAddresses();
        // The socket's kind, not the header's: a proxy may name TCP addresses over a Unix socket.
        super(id, opening != null ? (tls != null ? "wss" : "ws")
                        : tls != null ? "tls" : socketRemote instanceof InetSocketAddress ? "tcp" : "unix",
                told ? header.destination() : channel.getLocalAddress(), told ? header.source() : socketRemote);
        this.channel = channel;
        this.tls = tls;
        this.opening = opening;
        this.proxyHeader = header;
        this.framing = opening == null ? new FramingSlot(settings.framing()) : FramingSlot.unopened();
        this.observer = settings.observer();
        if (socketRemote instanceof InetSocketAddress) {
            // A Unix channel has no TCP options to set, and Java would refuse them.
            Tcp.configure(channel, settings.heartbeat().keepalive());
        }
        this.watchdogs = new Watchdogs(settings.heartbeat(), settings.writeTimeout(), settings.clock(), new Guarded());
        this.output = new Output(channel, tls, framing, watchdogs);
        this.intake = new Intake(channel, tls, output::releaseIfEmpty, settings.readBudget());
        this.pusher = new Pusher(id, framing, settings.outbound(), observer, output, new Owner());
        this.closer = new Closer(channel, tls, framing, output, pusher.outbox(), watchdogs, intake);
        this.control = new PeerControl(framing, output, pusher, intake, watchdogs, () -> Thread.currentThread() == reader);
        this.decoder = framing.decoder(control);
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
     * framing's greeting, if it has one, and the watchdogs. Called once, before the handler runs.
     *
     * @throws TlsHandshakeException when the TLS handshake fails or times out, saying why
     */
    @Override
    public void start() throws IOException {
        if (tls != null) {
            tls.handshake();
        }
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
    public Message receive() throws IOException {
        try {
            return receiveOrFail();
        } catch (FramingException e) {
            // Closed here with the framing's own code (WebSocket's 1002, 1007, 1009), as the
            // server closes its peers: a client whose caller then closes must not tell the
            // peer 1000, all was well.
            close(CloseReason.of(CloseReason.Code.PROTOCOL_ERROR, e.getMessage()).withCloseCode(e.closeCode()));
            throw e;
        }
    }

    private Message receiveOrFail() throws IOException {
        reader = Thread.currentThread();
        for (;;) {
            if (intake.buffer().hasRemaining()) {
                Message message = decoder.decode(intake.buffer());
                if (message != null) {
                    return received(message);
                }
            }
            if (intake.endOfStream() || control.farewell() != null) {
                intake.markEnded();
                // What is left is a whole last message only when the peer ended its stream as
                // it meant to: not when we stopped reading (a drain, a close), nor when a TLS
                // peer's stream was cut without close_notify.
                boolean cut = !isOpen() || control.farewell() != null || intake.drainReason() != null
                        || (tls != null && tls.truncated());
                Message last = cut ? null : decoder.finish(intake.buffer());
                return last == null ? null : received(last);
            }
            // Nothing whole is buffered: the replies to everything consumed so far leave now,
            // in one write, before we wait for more.
            flush();
            try {
                if (intake.fill() >= 0) {
                    watchdogs.heard();
                }
            } catch (Intake.MemoryBudgetException full) {
                // The peer is told why and closed; the server goes on serving everyone else.
                throw new ClosedConnectionException(toString(), CloseReason.of(CloseReason.Code.LIMIT, full.getMessage()));
            } catch (IOException broken) {
                close(CloseReason.of(CloseReason.Code.BROKEN,
                        broken instanceof TlsHandshakeException ? broken.getMessage() : Errors.describe(broken)));
            }
        }
    }

    private Message received(Message message) {
        messagesIn++;
        intake.tookMessage();
        observer.received(this, message);
        return message;
    }

    @Override
    public void send(Message message) throws IOException {
        if (Thread.currentThread() != reader) {
            checkOpen();
            pusher.push(message);
            return;
        }
        output.lock();
        try {
            checkOpen();
            output.put(message, intake.quiet());
            // With more input to work through, the reader flushes before it next waits.
            if (!intake.buffer().hasRemaining()) {
                writeLocked();
            }
        } finally {
            output.unlock();
        }
    }

    private void checkOpen() throws IOException {
        checkNotClosed();
        if (!framing.opened()) {
            // A broadcast may reach a connection still in its upgrade: the peer has agreed to
            // no framing yet, and the bytes would land in the middle of the HTTP exchange.
            throw new IOException("cannot send to " + Peers.describe(remote()) + " yet: " + this
                    + " is still opening (its WebSocket handshake is under way)");
        }
        if (outputShut) {
            // Refused here, not written: a write after the half-close would fail and take the
            // input half, which the peer may still be sending on, down with it.
            throw new IOException("cannot send to " + Peers.describe(this) + ": this end shut its output down"
                    + " (shutdownOutput) on " + this + "; the input half stays open for receive()");
        }
    }

    @Override
    public void flush() throws IOException {
        output.lock();
        try {
            pusher.moveLocked();
            if (output.pending()) {
                writeLocked();
            }
        } finally {
            output.unlock();
        }
    }

    /** Writes the buffer; a failed write ends the connection, since no farewell can reach the peer. */
    private void writeLocked() throws IOException {
        try {
            output.flushLocked();
        } catch (IOException e) {
            if (closing(CloseReason.of(CloseReason.Code.BROKEN, Errors.describe(e)))) {
                closer.release();
            }
            throw new ClosedConnectionException(toString(), closeReason());
        }
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
     * its loop and its replies go out. The connection then closes with {@code reason}. Safe
     * from any thread: it asks the kernel, never the reader's buffers.
     */
    @Override
    public void drain(CloseReason reason) {
        intake.drain(reason);
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
            finishClose(reason);
        }
    }

    /**
     * Closes from a thread that must not wait (a sender, the timer): the reason is set at once,
     * so further sends fail fast, and the farewell and socket close happen on a virtual thread.
     * False when the connection was already closing.
     */
    private boolean closeElsewhere(CloseReason reason) {
        if (closing(reason)) {
            Thread.ofVirtual().name("sockit-close-" + id()).start(() -> finishClose(reason));
            return true;
        }
        return false;
    }

    private void finishClose(CloseReason reason) {
        // Only the reader may read; a close from another thread leaves the reader to wake up.
        Thread current = reader;
        boolean mayLinger = current == null || current == Thread.currentThread();
        closer.close(reason, mayLinger, pusher::moveLocked);
    }

    /** What the pusher needs of this connection. */
    private final class Owner implements Pusher.Owner {
        @Override
        public dev.sockit.Connection connection() {
            return SocketConnection.this;
        }

        @Override
        public boolean quiet() {
            return intake.quiet();
        }

        @Override
        public void writeLocked() throws IOException {
            SocketConnection.this.writeLocked();
        }

        @Override
        public boolean expire(CloseReason reason) {
            return closeElsewhere(reason);
        }
    }

    /** What the watchdogs act on: pings go through the outbox, closes through another thread. */
    private final class Guarded implements Watchdogs.Target {
        @Override
        public void ping(long stamp) {
            pusher.pushControl(framing.ping(Long.toString(stamp).getBytes(StandardCharsets.US_ASCII)));
        }

        @Override
        public void expire(CloseReason reason) {
            closeElsewhere(reason);
        }

        @Override
        public long unread() {
            return intake.canProbe() ? intake.unread() : -1;
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
                pusher.outbox().droppedCount(), pusher.outbox().bytes());
    }
}
