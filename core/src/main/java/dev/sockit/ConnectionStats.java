package dev.sockit;

import java.time.Duration;
import java.time.Instant;

/**
 * A connection's counters at one moment.
 *
 * @param openedAt    when the connection was accepted or connected
 * @param messagesIn  messages received
 * @param messagesOut messages sent
 * @param bytesIn     bytes read from the socket
 * @param bytesOut    bytes written to the socket
 * @param dropped     pushed messages dropped because the peer's outbound queue was full
 * @param queuedBytes bytes pushed by other threads that wait to be written
 */
public record ConnectionStats(Instant openedAt, long messagesIn, long messagesOut, long bytesIn, long bytesOut,
        long dropped, long queuedBytes) {

    /** How long the connection has been, or was, open as of {@code now}. */
    public Duration age(Instant now) {
        return Duration.between(openedAt, now);
    }
}
