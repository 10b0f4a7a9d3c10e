package dev.sockit;

import dev.sockit.metrics.Histogram;
import java.io.IOException;

/**
 * The connection a handler sees when handler time is measured ({@code Server.Builder.handlerTiming}):
 * the time from {@link #receive()} handing over a message to the handler's next call of it —
 * the handler's work on that message, its replies included — goes into a histogram. Two
 * clock reads and two additions per message; everything else passes straight through.
 */
final class TimedConnection extends ForwardingConnection {

    private final Histogram handling;
    // When the last message was handed to the handler; 0 before the first. Only the handler's thread receives.
    private long handedAt;

    TimedConnection(Connection connection, Histogram handling) {
        super(connection);
        this.handling = handling;
    }

    @Override
    public Message receive() throws IOException {
        if (handedAt != 0) {
            handling.record(System.nanoTime() - handedAt);
        }
        Message message = delegate().receive();
        handedAt = message == null ? 0 : System.nanoTime();
        return message;
    }
}
