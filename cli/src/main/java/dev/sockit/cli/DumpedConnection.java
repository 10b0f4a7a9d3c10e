package dev.sockit.cli;

import dev.sockit.CloseReason;
import dev.sockit.Connection;
import dev.sockit.ConnectionStats;
import dev.sockit.Message;
import dev.sockit.TlsSession;
import dev.sockit.framing.Framing;
import dev.sockit.proxy.ProxyHeader;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;

/**
 * A connection whose every message, each way, goes into a {@link HexDump} as the bytes on the
 * wire: each message encoded by the framing ({@code lines} adds its newline, {@code frames}
 * its header; a line received with {@code \r\n} is shown with {@code \n}). Everything else
 * passes straight through.
 */
final class DumpedConnection implements Connection {

    private final Connection connection;
    private final Framing framing;
    private final HexDump.Stream dump;

    DumpedConnection(Connection connection, Framing framing, HexDump.Stream dump) {
        this.connection = connection;
        this.framing = framing;
        this.dump = dump;
    }

    @Override
    public Message receive() throws IOException {
        Message message = connection.receive();
        if (message != null) {
            dump.received(wire(message));
        }
        return message;
    }

    @Override
    public void send(Message message) throws IOException {
        connection.send(message);
        dump.sent(wire(message));
    }

    private byte[] wire(Message message) {
        ByteBuffer out = ByteBuffer.allocate(framing.encodedLength(message));
        framing.encode(message, out);
        return out.array();
    }

    @Override
    public long id() {
        return connection.id();
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
    public java.util.Optional<CloseReason> peerFarewell() {
        return connection.peerFarewell();
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
