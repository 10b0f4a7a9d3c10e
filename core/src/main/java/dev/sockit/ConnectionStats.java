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

    /**
     * {@return how long the connection has been, or was, open as of {@code now}}
     *
     * @param now the instant to measure to, from the same clock as {@link #openedAt()}
     */
    public Duration age(Instant now) {
        return Duration.between(openedAt, now);
    }
}
