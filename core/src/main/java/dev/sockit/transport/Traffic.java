package dev.sockit.transport;

import dev.sockit.ConnectionStats;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A connection's messages and bytes each way, counted from any thread: for the connections
 * that move whole messages themselves (packets, datagrams). A stream connection's are counted
 * by its parts instead, on its hot path, without atomics.
 */
final class Traffic {

    private final AtomicLong messagesIn = new AtomicLong();
    private final AtomicLong bytesIn = new AtomicLong();
    private final AtomicLong messagesOut = new AtomicLong();
    private final AtomicLong bytesOut = new AtomicLong();

    /** A message handed to the handler. */
    void messageIn() {
        messagesIn.incrementAndGet();
    }

    /** Bytes taken from the peer (a datagram counts when it arrives, its message when it is read). */
    void bytesIn(long bytes) {
        bytesIn.addAndGet(bytes);
    }

    /** A message of {@code bytes} sent to the peer. */
    void sent(long bytes) {
        messagesOut.incrementAndGet();
        bytesOut.addAndGet(bytes);
    }

    ConnectionStats stats(Instant openedAt) {
        return new ConnectionStats(openedAt, messagesIn.get(), messagesOut.get(), bytesIn.get(), bytesOut.get(), 0, 0);
    }
}
