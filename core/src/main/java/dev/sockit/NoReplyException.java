package dev.sockit;

import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * A request got no reply however often it was sent: the server is not there, does not
 * answer, or every request or reply was lost. Thrown by {@link Retry#request}; the connection
 * stays open. A {@link SocketTimeoutException}, so that code catching timeouts catches it.
 */
public final class NoReplyException extends SocketTimeoutException {
    private static final long serialVersionUID = 1L;
    /** How many times the request was sent. */
    private final int attempts;
    private final transient Duration timeout;
    /** Whether the peer's host said that nothing listens on its port. */
    private final boolean unreachable;

    /**
     * A request that got no reply to any of its attempts; the message names the peer and what to try.
     *
     * @param peer        the peer as a URI, {@code udp://127.0.0.1:8001}
     * @param attempts    how many times the request was sent
     * @param timeout     how long each attempt waited
     * @param unreachable whether the peer's host said that nothing listens on its port
     */
    public NoReplyException(String peer, int attempts, Duration timeout, boolean unreachable) {
        super("no reply from " + peer + " to " + attempts + (attempts == 1 ? " attempt" : " attempts") + ", "
                + dev.sockit.transport.Durations.format(timeout) + " each"
                + (unreachable
                        ? ": its host says nothing listens on that port (is a server running? sockit server " + peer + ")"
                        : " (UDP does not say when a datagram is lost: is a server running there, and does it answer?"
                                + " try more attempts or a longer timeout)"));
        this.attempts = attempts;
        this.timeout = timeout;
        this.unreachable = unreachable;
    }

    /** {@return how many times the request was sent} */
    public int attempts() {
        return attempts;
    }

    /** {@return how long each attempt waited for a reply}; null after deserialization, which does not keep it. */
    public Duration timeout() {
        return timeout;
    }

    /** {@return true when the peer's host said that nothing listens on its port} (ICMP port unreachable) */
    public boolean unreachable() {
        return unreachable;
    }
}
