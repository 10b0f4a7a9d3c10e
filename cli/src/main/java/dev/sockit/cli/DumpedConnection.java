package dev.sockit.cli;

import dev.sockit.Connection;
import dev.sockit.ForwardingConnection;
import dev.sockit.Message;
import dev.sockit.framing.Framing;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A connection whose every message, each way, goes into a {@link HexDump} as the bytes on the
 * wire: each message encoded by the framing ({@code lines} adds its newline, {@code frames}
 * its header; a line received with {@code \r\n} is shown with {@code \n}). Everything else
 * passes straight through.
 */
final class DumpedConnection extends ForwardingConnection {

    private final Framing framing;
    private final HexDump.Stream dump;

    DumpedConnection(Connection connection, Framing framing, HexDump.Stream dump) {
        super(connection);
        this.framing = framing;
        this.dump = dump;
    }

    @Override
    public Message receive() throws IOException {
        Message message = delegate().receive();
        if (message != null) {
            dump.received(wire(message));
        }
        return message;
    }

    @Override
    public void send(Message message) throws IOException {
        delegate().send(message);
        dump.sent(wire(message));
    }

    private byte[] wire(Message message) {
        ByteBuffer out = ByteBuffer.allocate(framing.encodedLength(message));
        framing.encode(message, out);
        return out.array();
    }
}
