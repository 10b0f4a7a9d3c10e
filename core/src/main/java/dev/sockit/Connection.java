package dev.sockit;

import dev.sockit.proxy.ProxyHeader;
import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Optional;

/**
 * One peer. A handler reads with {@link #receive()} in a plain blocking loop; any thread may
 * {@link #send} at any time, which is how a server pushes data nobody asked for.
 * A connection is a TCP or Unix stream, or a UDP peer whose every datagram is one message.
 *
 * <pre>{@code
 * for (Message message; (message = connection.receive()) != null; ) {
 *     connection.send("server received your message.");
 * }
 * }</pre>
 *
 * <p>Sends are batched: while the handler still has received input to work through, its
 * replies wait in the connection's buffer and leave in one write when it next waits for
 * input (or calls {@link #flush()}). Sends from other threads join a bounded queue that is
 * written out at once by a thread of the connection's own, so a pushing thread never waits
 * on a slow peer; see {@link OutboundLimit} for what happens when that queue is full.
 */
public interface Connection extends AutoCloseable {

    /** {@return a number that names this connection within its server, from 1} */
    long id();

    /**
     * Waits for the next message. Returns {@code null} at end of stream: the peer closed or
     * reset the connection, or it was closed here ({@link #closeReason()} tells which). UDP
     * has no end of stream: a server's UDP session ends when its peer has been silent for the
     * session timeout, and an empty datagram is an empty message.
     * One thread at a time may receive.
     *
     * @return the message, or {@code null} at end of stream
     * @throws dev.sockit.framing.FramingException when the peer breaks the framing, such as a
     *     line over the limit; the connection must then be closed
     * @throws java.net.SocketTimeoutException on a UDP client given a receive timeout, when no
     *     datagram came in time; the connection stays open
     * @throws IOException when reading fails for another reason
     */
    Message receive() throws IOException;

    /**
     * Sends a message. Thread-safe; messages from one thread arrive in the order sent.
     *
     * @param message the message; not null
     * @throws ClosedConnectionException when the connection is closed or the peer has gone
     * @throws IOException when writing fails
     */
    void send(Message message) throws IOException;

    /**
     * Sends {@code text} as UTF-8; see {@link #send(Message)}.
     *
     * @param text the text; not null
     * @throws ClosedConnectionException when the connection is closed or the peer has gone
     * @throws IOException when writing fails
     */
    default void send(String text) throws IOException {
        send(Message.of(text));
    }

    /**
     * Writes out whatever sends are waiting in the buffer.
     *
     * @throws ClosedConnectionException when the connection is closed or the peer has gone
     * @throws IOException when writing fails
     */
    void flush() throws IOException;

    /**
     * Half-closes: flushes, then tells the peer that nothing more will be sent, while
     * {@link #receive()} goes on reading what the peer still sends.
     *
     * @throws IOException when the flush or the half-close fails
     */
    void shutdownOutput() throws IOException;

    /** {@return the protocol: {@code tcp}, {@code udp} or {@code unix}} */
    String protocol();

    /**
     * This end's address: an {@link java.net.InetSocketAddress} for TCP and UDP (a UDP server
     * bound to a wildcard address reports the wildcard), a
     * {@link java.net.UnixDomainSocketAddress} for Unix sockets (the socket file on the server
     * side; an empty path on a client, which has no name). {@link Peers#describe} writes it.
     *
     * @return this end's address
     */
    SocketAddress local();

    /** {@return the peer's address, of the same kinds as {@link #local()}} */
    SocketAddress remote();

    /**
     * The round-trip time measured by the last answered heartbeat ping, or empty when the
     * framing does not ping or no pong has come back yet.
     *
     * @return the last round trip, or empty
     */
    default Optional<Duration> roundTrip() {
        return Optional.empty();
    }

    /**
     * The TLS session of a {@code tls://} connection once its handshake is done: version,
     * cipher suite, and the peer's verified identity (with mutual TLS). Empty for other
     * kinds, and before the handshake.
     *
     * @return the session, or empty
     */
    default Optional<TlsSession> tls() {
        return Optional.empty();
    }

    /**
     * The PROXY protocol header this connection began with, when it came through a trusted
     * proxy ({@link Server.Builder#proxyProtocol}): the addresses it named (which are then
     * {@link #remote()} and {@link #local()}) and its TLVs, such as the TLS server name the
     * client asked the proxy for. Empty for a connection without one.
     *
     * @return the header, or empty
     */
    default Optional<ProxyHeader> proxyHeader() {
        return Optional.empty();
    }

    /** {@return counters of what went in and out, and since when}; a snapshot, safe from any thread. */
    ConnectionStats stats();

    /** {@return true until the connection is closed, by either side} */
    boolean isOpen();

    /** {@return why the connection closed, or {@code null} while it is open} */
    CloseReason closeReason();

    /**
     * What the peer said as it left, once it has: in {@code frames}, its CLOSE frame's reason,
     * with the kind its close code stands for ({@code Frames.reasonCode}): a client kicked
     * with {@code /kick 3 bye} finds {@code LIMIT, "kicked: bye"} here after {@link #receive()}
     * returned null. Empty while the peer has said nothing, and always for framings without a
     * farewell of their own ({@code lines}, {@code raw}) and for UDP.
     *
     * @return the peer's farewell, or empty
     */
    default Optional<CloseReason> peerFarewell() {
        return Optional.empty();
    }

    /**
     * Closes the connection for a reason: flushes what was sent, sends the framing's farewell
     * for the reason (lines send {@code error: ...} for errors), then closes the socket. Does
     * nothing if already closed; never throws.
     *
     * @param reason why, for the peer (where the framing can say it) and for {@link #closeReason()}
     */
    void close(CloseReason reason);

    /** Closes with {@link CloseReason#closed()}. */
    @Override
    default void close() {
        close(CloseReason.closed());
    }
}
