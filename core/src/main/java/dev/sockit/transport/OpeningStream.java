package dev.sockit.transport;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * The raw stream an {@link Opening} (the WebSocket upgrade) speaks over, before any framing:
 * it reads into the connection's intake buffer, so that bytes the peer sent after its request
 * stay there for the framing the opening chooses, and writes through the connection's output,
 * so that TLS applies as to everything else; the opening's own deadline, not the write
 * timeout, bounds those writes.
 */
final class OpeningStream implements Opening.Io {

    private final SocketChannel channel;
    private final Intake intake;
    private final Output output;
    private final SocketAddress remote;

    OpeningStream(SocketChannel channel, Intake intake, Output output, SocketAddress remote) {
        this.channel = channel;
        this.intake = intake;
        this.output = output;
        this.remote = remote;
    }

    @Override
    public ByteBuffer buffer() {
        return intake.buffer();
    }

    @Override
    public int read() throws IOException {
        return intake.fill();
    }

    @Override
    public void write(byte[] bytes) throws IOException {
        output.lock();
        try {
            output.put(bytes, false);
            output.flushUnwatchedLocked(); // the opening's deadline bounds it
            // The opening's words are one-offs (the 101, an HTTP answer): a connection that
            // then waits for its peer keeps no write buffer for them (8 KiB, most of what an
            // idle WebSocket held); the first send allocates one again.
            output.releaseLocked();
        } finally {
            output.unlock();
        }
    }

    @Override
    public void abort() {
        Tcp.closeQuietly(channel);
    }

    @Override
    public SocketAddress remote() {
        return remote;
    }
}
