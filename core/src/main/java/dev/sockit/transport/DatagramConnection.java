package dev.sockit.transport;

import dev.sockit.CloseReason;
import dev.sockit.ClosedConnectionException;
import dev.sockit.ConnectionStats;
import dev.sockit.Heartbeat;
import dev.sockit.Message;
import dev.sockit.Observer;
import dev.sockit.Peers;
import dev.sockit.framing.MessageTooLongException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * A {@link dev.sockit.Connection} with one datagram peer, over UDP or a Unix {@code SOCK_DGRAM}
 * socket (unixgram): each datagram is one message. Datagrams
 * reach it through a bounded inbox that one feeder fills — on a server the listener's receive
 * loop, which hands each peer's datagrams to that peer's session; on a client a reader of its
 * own connected socket — so a handler reads them with the same blocking {@code receive()} as
 * from a stream. {@code send} sends one datagram to the peer.
 *
 * <p>What differs from a stream, deliberately:
 * <ul>
 *   <li>An empty datagram is an empty message, never end of stream: UDP has no end of stream.
 *       A server session ends instead when its peer has been silent for the session timeout.</li>
 *   <li>A client's {@code receive()} may time out ({@link SocketTimeoutException}, the
 *       connection stays open), since a lost datagram would otherwise leave it waiting for ever.</li>
 *   <li>When the inbox is full, further datagrams are dropped, as the kernel drops them when
 *       a socket's buffer is full.</li>
 *   <li>{@code flush()} does nothing; {@code shutdownOutput()} only refuses further sends.</li>
 * </ul>
 */
public final class DatagramConnection extends AbstractConnection {

    /** How many datagrams may wait for the handler before more from that peer are dropped. */
    public static final int INBOX_LIMIT = 1024;

    // A client's own connected channel, or null for a session, which answers through the server's port.
    private final DatagramChannel channel;
    private final DatagramPort port;
    private final DatagramSettings settings;
    private final Observer observer;
    private final Consumer<DatagramConnection> onClosed;

    private final Traffic traffic = new Traffic();
    // Filled by the feeder, emptied by the one reader.
    private final DatagramInbox inbox = new DatagramInbox(INBOX_LIMIT, traffic);
    // The session timeout, on the same watchdog a stream connection's idle timeout is kept by;
    // null: none (clients).
    private final Watchdogs watchdogs;

    private volatile boolean unreachable;
    private volatile boolean outputShut;

    private DatagramConnection(long id, DatagramChannel channel, DatagramPort port, SocketAddress remote,
            DatagramSettings settings, Observer observer, Consumer<DatagramConnection> onClosed) throws IOException {
        super(id, port != null ? port.protocol() : "udp", port != null ? port.localAddress() : channel.getLocalAddress(),
                remote);
        this.channel = channel;
        this.port = port;
        this.settings = settings;
        this.observer = observer;
        this.onClosed = onClosed;
        this.watchdogs = settings.sessionTimeout() == null ? null : new Watchdogs(
                Heartbeat.OFF.idleTimeout(settings.sessionTimeout()), Duration.ZERO, settings.clock(), new Silence());
        if (watchdogs != null) {
            watchdogs.start();
        }
    }

    /** What the session-timeout watchdog acts on: a session whose peer fell silent ends; it never pings. */
    private final class Silence implements Watchdogs.Target {
        @Override
        public void ping(long stamp) {}

        @Override
        public boolean expire(CloseReason ignored) {
            return inbox.endIfOpen(CloseReason.of(CloseReason.Code.CLOSED, "silent for "
                    + Durations.format(settings.sessionTimeout()) + " (session timeout: no datagram from the peer);"
                    + " session ended"));
        }

        @Override
        public long unread() {
            return -1; // the listener reads every datagram at once: nothing waits unread
        }
    }

    /**
     * A server's session with one peer, on the server's shared {@code port} (UDP or Unix
     * datagrams). The listener feeds it with {@link #deliver}; {@code onClosed} is told when it
     * closes, to forget it.
     */
    public static DatagramConnection session(long id, DatagramPort port, SocketAddress peer, DatagramSettings settings,
            Observer observer, Consumer<DatagramConnection> onClosed) throws IOException {
        return new DatagramConnection(id, null, port, peer, settings, observer, onClosed);
    }

    /**
     * A client's connection over its own connected socket, which it owns from then on and
     * reads with a virtual thread of its own until closed.
     */
    public static DatagramConnection connected(long id, DatagramChannel channel, DatagramSettings settings) throws IOException {
        DatagramConnection connection = new DatagramConnection(id, channel, null, channel.getRemoteAddress(), settings,
                Observer.NONE, c -> Tcp.closeQuietly(channel));
        ClientDatagramReader.start(channel, connection);
        return connection;
    }

    /**
     * Hands a datagram from the peer to this connection. Called by the one feeder thread.
     *
     * @return whether it was taken, dropped because the inbox is full, or refused because the
     *     session has ended
     */
    DatagramInbox.Delivery deliver(Message datagram) {
        if (inbox.ended()) {
            return DatagramInbox.Delivery.ENDED;
        }
        // A peer whose datagrams are dropped is still heard from: it is not idle.
        if (watchdogs != null) {
            watchdogs.heard();
        }
        unreachable = false;
        return inbox.offer(datagram);
    }

    /**
     * Waits for the next datagram, for at most the receive timeout if one was set. Returns
     * null when the connection has closed, or the session was drained or has been idle too
     * long ({@link #drainReason()} says which).
     *
     * @throws SocketTimeoutException when the receive timeout passed first; the connection stays open
     */
    @Override
    public Message receive() throws IOException {
        return receive(settings.receiveTimeout());
    }

    /**
     * Waits at most {@code timeout} (null: no limit) for the next datagram; see {@link #receive()}.
     *
     * @throws SocketTimeoutException when {@code timeout} passed first; the connection stays open
     */
    public Message receive(Duration timeout) throws IOException {
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        Message message;
        try {
            message = inbox.next(deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a datagram from " + describeRemote());
        }
        if (message == null) {
            if (inbox.ended()) {
                return null;
            }
            throw new SocketTimeoutException("no datagram from " + describeRemote() + " within "
                    + Durations.format(timeout) + (unreachable ? unreachableAdvice() : ""));
        }
        traffic.messageIn();
        observer.received(this, message);
        return message;
    }

    /**
     * Sends {@code message} as one datagram. An empty message is an empty datagram on a server;
     * a client cannot send one (see the exception).
     *
     * @throws MessageTooLongException when the message is longer than the datagram limit
     * @throws IOException when a client sends an empty message: Java sends nothing for zero
     *     bytes on a connected UDP socket, and saying so beats sending nothing in silence
     */
    @Override
    public void send(Message message) throws IOException {
        checkNotClosed();
        if (outputShut) {
            throw new IOException("cannot send to " + describeRemote() + ": output was shut down on " + this);
        }
        int length = message.length();
        if (length > settings.maxDatagram()) {
            throw new MessageTooLongException("datagram", settings.maxDatagram());
        }
        if (length == 0 && channel != null && channel.isConnected()) {
            throw new IOException("cannot send an empty datagram to " + describeRemote() + ": Java sends nothing for"
                    + " zero bytes on a connected UDP socket; send at least one byte");
        }
        ByteBuffer datagram = ByteBuffer.allocate(length);
        message.writeTo(datagram);
        transmit(datagram.flip());
        traffic.sent(length);
    }

    private void transmit(ByteBuffer datagram) throws IOException {
        try {
            try {
                write(datagram);
            } catch (PortUnreachableException earlier) {
                // The error is the kernel's report of an earlier datagram that nothing took;
                // reporting it used up this send, so send again.
                unreachable = true;
                write(datagram.rewind());
            }
        } catch (PortUnreachableException again) {
            unreachable = true; // UDP promises nothing: the datagram is lost, as any other may be
        } catch (ClosedChannelException e) {
            CloseReason reason = closeReason();
            throw new ClosedConnectionException(toString(), reason != null ? reason
                    : CloseReason.of(CloseReason.Code.BROKEN, "socket closed"));
        }
    }

    private void write(ByteBuffer datagram) throws IOException {
        if (port == null) {
            channel.write(datagram); // a client's own connected socket
        } else {
            port.send(datagram, remote()); // a session answers from the server's socket
        }
    }

    /** The peer's host said that nothing listens on its port (ICMP port unreachable). */
    void markUnreachable() {
        unreachable = true;
    }

    /**
     * True when the peer's host has said that nothing listens on its port (ICMP port
     * unreachable), and nothing has arrived since. Known only to clients.
     */
    public boolean peerUnreachable() {
        return unreachable;
    }

    /** The peer in its endpoint's own scheme: {@code udp://HOST:PORT}, or {@code unixgram:/PATH}. */
    public String describeRemote() {
        String peer = Peers.describe(remote());
        if (remote() instanceof java.net.InetSocketAddress) {
            return protocol() + "://" + peer;
        }
        return protocol() + ":" + (peer.startsWith("unix:") ? peer.substring("unix:".length()) : peer);
    }

    private String unreachableAdvice() {
        return "; its host says nothing listens on that port (is a server running? sockit server "
                + describeRemote() + ")";
    }

    /** Nothing to do: every send leaves at once as its own datagram. */
    @Override
    public void flush() {}

    /** UDP has no half-close: this only refuses further sends; receiving goes on. */
    @Override
    public void shutdownOutput() {
        outputShut = true;
    }

    @Override
    public void drain(CloseReason reason) {
        inbox.end(reason);
    }

    @Override
    public CloseReason drainReason() {
        return inbox.reason();
    }

    /** Always false: UDP has no end of stream. */
    @Override
    public boolean endOfStream() {
        return false;
    }

    /**
     * Closes: a reason that is an error is sent to the peer first, as one datagram
     * {@code error: TEXT}; datagrams still waiting are dropped. Never throws.
     */
    @Override
    public void close(CloseReason reason) {
        if (!closing(reason)) {
            return;
        }
        if (watchdogs != null) {
            watchdogs.stop();
        }
        if (reason.isError() && !outputShut) {
            try {
                transmit(ByteBuffer.wrap(Message.of("error: " + reason.text()).bytes()));
            } catch (IOException ignored) {
                // The farewell is a courtesy; the connection closes either way.
            }
        }
        inbox.endAndClear();
        onClosed.accept(this);
    }

    @Override
    public ConnectionStats stats() {
        return traffic.stats(openedAt());
    }

    @Override
    public String toString() {
        return "connection " + id() + " with " + Peers.describe(remote());
    }
}
