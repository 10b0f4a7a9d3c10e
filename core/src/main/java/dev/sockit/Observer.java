package dev.sockit;

import java.net.SocketAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * Watches a server's connections come, talk and go: the command line prints from here, and
 * an application may count or log. Methods are called on the connection's own thread (or
 * the accept or receive thread for {@link #rejected}, {@link #refused}, {@link #acceptFailed} and
 * {@link #datagramDropped}, and the server's waiting room thread for {@link #received} and
 * {@link #handlerFailed} on a connection it serves in line, as it does {@link Handlers#echo}'s
 * and {@link Handlers#ack}'s) and must return quickly: one that blocks there holds up every
 * connection served in line. Each does nothing by default.
 */
public interface Observer {

    /** The observer that watches nothing. */
    Observer NONE = new Observer() {
        @Override
        public boolean watchesMessages() {
            return false;
        }
    };

    /**
     * One observer that tells each of {@code observers}, in this order, of everything: a log
     * and a metrics registry may watch the same server.
     *
     * @param observers the observers, none null; an exception from one is not caught
     * @return one observer that calls them all
     */
    static Observer all(Observer... observers) {
        return ObserverFanOut.of(observers);
    }

    /**
     * A connection was accepted; its handler is about to start.
     *
     * @param connection the new connection
     */
    default void connected(Connection connection) {}

    /**
     * The handler received a message. Called on the hot path: keep it cheap.
     *
     * @param connection the connection it came on
     * @param message    the message, as the handler got it
     */
    default void received(Connection connection, Message message) {}

    /**
     * {@return whether {@link #received} would use a message now} False lets a connection
     * whose handler forgets its input unread ({@link Handlers#discard()} over the raw framing)
     * skip making the messages, and the copy of every byte into them; it is asked as each
     * read's bytes arrive, so the answer may change (when a recording starts, say). Default:
     * true, so an observer that only overrides {@code received} is told of every message.
     */
    default boolean watchesMessages() {
        return true;
    }

    /**
     * The connection closed; its counters are final.
     *
     * @param connection the connection, closed
     * @param reason     why it closed
     */
    default void closed(Connection connection, CloseReason reason) {}

    /**
     * A peer was turned away before any handler ran, e.g. over the connection limit.
     *
     * @param peer   the peer's address
     * @param reason why it was turned away
     */
    default void rejected(SocketAddress peer, CloseReason reason) {}

    /**
     * A peer was refused by the server's {@link AccessPolicy} and closed without a word,
     * before any handler ran; {@code why} says which rule, e.g. {@code denied by --deny
     * 10.0.0.0/8}. Called on the accept (or UDP receive) thread: keep it cheap.
     *
     * @param peer the peer's address
     * @param why  the rule that refused it
     */
    default void refused(SocketAddress peer, String why) {}

    /**
     * A connection from a trusted proxy did not begin with a valid PROXY protocol header
     * (malformed, of a version not accepted, over the size cap, or not whole within the header
     * timeout) and was closed unserved; {@code why} says what was wrong, with what came.
     * {@code proxy} is the socket's peer: the proxy. Called on the connection's thread, before
     * any handler: no {@link #connected} or {@link #closed} follows.
     *
     * @param proxy the proxy's address
     * @param why   what was wrong
     */
    default void proxyHeaderRefused(SocketAddress proxy, String why) {}

    /**
     * A TLS client's handshake failed or timed out, before its handler ran; {@link #closed}
     * follows with the same reason. Called on the connection's thread.
     *
     * @param connection the connection, closing
     * @param reason     what failed, e.g. no shared protocol version, or the timeout
     */
    default void handshakeFailed(Connection connection, CloseReason reason) {}

    /**
     * A peer that did not read what other threads pushed to it was disconnected, its queue
     * past the {@link OutboundLimit} (overflow {@code DISCONNECT}) with {@code queuedBytes}
     * waiting for it; {@link #closed} follows. Called on the pushing thread: keep it cheap.
     *
     * @param connection  the connection disconnected
     * @param queuedBytes the bytes queued for it when it was cut off
     * @param reason      the reason it is closed with
     */
    default void slowReader(Connection connection, long queuedBytes, CloseReason reason) {}

    /**
     * A push to a peer (or a ping or pong for it) was dropped because its queue was past the
     * {@link OutboundLimit} (overflow {@code DROP}). Called on the pushing thread: keep it cheap.
     *
     * @param connection the connection the push was for
     */
    default void pushDropped(Connection connection) {}

    /**
     * The handler threw something unexpected: a bug in the handler. {@link #closed} follows.
     *
     * @param connection the connection whose handler failed
     * @param failure    what it threw, with its stack trace
     */
    default void handlerFailed(Connection connection, Throwable failure) {}

    /**
     * Accepting failed, for instance because the process ran out of file descriptors; the
     * server keeps accepting after a pause.
     *
     * @param failure what the accept threw
     */
    default void acceptFailed(Exception failure) {}

    /**
     * A UDP server dropped a datagram, for the reason given: over the size limit, or arriving
     * faster than the peer's handler reads. Called on the receive thread: keep it cheap.
     *
     * @param peer   the sender's address
     * @param reason why it was dropped, for the log
     */
    default void datagramDropped(SocketAddress peer, String reason) {}

    /**
     * A TLS server read its certificate files again because they changed; new handshakes use
     * them, open connections keep their sessions. Called on the timer thread: keep it cheap.
     *
     * @param files the certificate and key files read
     */
    default void tlsReloaded(List<Path> files) {}

    /**
     * A TLS server found its certificate files changed but could not use them (a key that
     * does not match, a file half written); it keeps the previous ones and tries again at the
     * next change. Called on the timer thread: keep it cheap.
     *
     * @param files   the certificate and key files
     * @param failure why they could not be used
     */
    default void tlsReloadFailed(List<Path> files, Exception failure) {}
}
