package dev.sockit;

import dev.sockit.metrics.Histogram;
import dev.sockit.proxy.ProxyHeader;
import java.io.IOException;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Optional;

/**
 * The connection a handler sees when handler time is measured ({@code Server.Builder.handlerTiming}):
 * the time from {@link #receive()} handing over a message to the handler's next call of it —
 * the handler's work on that message, its replies included — goes into a histogram. Two
 * clock reads and two additions per message; everything else passes straight through.
 */
final class TimedConnection implements Connection {

    private final Connection connection;
    private final Histogram handling;
    // When the last message was handed to the handler; 0 before the first. Only the handler's thread receives.
    private long handedAt;

    TimedConnection(Connection connection, Histogram handling) {
        this.connection = connection;
        this.handling = handling;
    }

    @Override
    public Message receive() throws IOException {
        if (handedAt != 0) {
            handling.record(System.nanoTime() - handedAt);
        }
        Message message = connection.receive();
        handedAt = message == null ? 0 : System.nanoTime();
        return message;
    }

    @Override
    public long id() {
        return connection.id();
    }

    @Override
    public void send(Message message) throws IOException {
        connection.send(message);
    }

    @Override
    public void flush() throws IOException {
        connection.flush();
    }

    @Override
    public void shutdownOutput() throws IOException {
        connection.shutdownOutput();
    }

    @Override
    public String protocol() {
        return connection.protocol();
    }

    @Override
    public SocketAddress local() {
        return connection.local();
    }

    @Override
    public SocketAddress remote() {
        return connection.remote();
    }

    @Override
    public Optional<Duration> roundTrip() {
        return connection.roundTrip();
    }

    @Override
    public Optional<TlsSession> tls() {
        return connection.tls();
    }

    @Override
    public Optional<ProxyHeader> proxyHeader() {
        return connection.proxyHeader();
    }

    @Override
    public ConnectionStats stats() {
        return connection.stats();
    }

    @Override
    public boolean isOpen() {
        return connection.isOpen();
    }

    @Override
    public CloseReason closeReason() {
        return connection.closeReason();
    }

    @Override
    public void close(CloseReason reason) {
        connection.close(reason);
    }

    @Override
    public String toString() {
        return connection.toString();
    }
}
