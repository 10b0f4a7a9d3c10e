package dev.sockit.testkit;

import dev.sockit.CloseReason;
import dev.sockit.ClosedConnectionException;
import dev.sockit.Connection;
import dev.sockit.ConnectionStats;
import dev.sockit.Message;
import dev.sockit.framing.Framing;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One end of a {@link ConnectionPair}: a {@link Connection} over two in-memory {@link Pipe}s,
 * framed as a socket connection is. {@code receive()} decodes with the framing (so a line over
 * the limit throws as it would over TCP), pings of {@code frames} are answered, a CLOSE frame
 * ends the stream; {@code send()} encodes and writes, waiting while the peer's buffer is full.
 * The ends are as a socket's: half-close, close with the framing's farewell, reset.
 */
public final class MemoryConnection implements Connection {

    private final long id;
    private final String name;
    private final Framing framing;
    private final Framing.Decoder decoder;
    private final Pipe in;
    private final Pipe out;
    private final SocketAddress local;
    private final SocketAddress remote;
    private final Instant openedAt = Instant.now();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final AtomicReference<CloseReason> closeReason = new AtomicReference<>();
    private ByteBuffer buffer = ByteBuffer.allocate(8 * 1024).flip();
    private final byte[] chunk = new byte[8 * 1024];
    private volatile boolean endOfStream;
    private volatile boolean outputShut;
    private volatile CloseReason peerFarewell;
    private volatile long messagesIn;
    private volatile long messagesOut;
    private volatile long bytesIn;
    private volatile long bytesOut;

    MemoryConnection(long id, String name, Framing framing, Pipe in, Pipe out, SocketAddress local, SocketAddress remote) {
        this.id = id;
        this.name = name;
        this.framing = framing;
        this.in = in;
        this.out = out;
        this.local = local;
        this.remote = remote;
        this.decoder = framing.decoder(new Framing.Control() {
            @Override
            public void pinged(byte[] payload) {
                offer(framing.pong(payload)); // dropped if the peer's buffer is full, as a socket connection does
            }

            @Override
            public void closing(int code, String reason) {
                peerFarewell = CloseReason.of(CloseReason.Code.PEER_CLOSED,
                        "peer closed: " + (reason.isEmpty() ? "code " + code : reason));
            }
        });
    }

    /** Sends the framing's greeting, if it has one: what a socket connection does on start. */
    void greet() throws IOException {
        byte[] greeting = framing.greeting();
        if (greeting != null) {
            writeRaw(greeting);
        }
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public Message receive() throws IOException {
        for (;;) {
            if (closeReason.get() != null) {
                return null;
            }
            if (buffer.hasRemaining()) {
                Message message = decoder.decode(buffer);
                if (message != null) {
                    messagesIn++;
                    return message;
                }
            }
            if (endOfStream || peerFarewell != null) {
                Message last = peerFarewell != null ? null : decoder.finish(buffer);
                if (last != null) {
                    messagesIn++;
                }
                return last;
            }
            int n;
            try {
                n = in.read(chunk, 0, chunk.length);
            } catch (IOException reset) {
                close(CloseReason.of(CloseReason.Code.BROKEN, reset.getMessage()));
                return null;
            }
            if (n < 0) {
                endOfStream = true;
                continue;
            }
            bytesIn += n;
            append(n);
        }
    }

    private void append(int n) {
        if (buffer.capacity() - buffer.remaining() < n) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.remaining() + n));
            bigger.put(buffer);
            buffer = bigger;
        } else {
            buffer.compact();
        }
        buffer.put(chunk, 0, n).flip();
    }

    @Override
    public void send(Message message) throws IOException {
        CloseReason reason = closeReason.get();
        if (reason != null) {
            throw new ClosedConnectionException(toString(), reason);
        }
        if (outputShut) {
            throw new IOException("cannot send on " + this + ": this end shut its output down (shutdownOutput)");
        }
        ByteBuffer encoded = ByteBuffer.allocate(framing.encodedLength(message));
        framing.encode(message, encoded);
        try {
            writeRaw(encoded.array());
        } catch (IOException e) {
            close(CloseReason.of(CloseReason.Code.BROKEN, e.getMessage()));
            throw new ClosedConnectionException(toString(), closeReason.get());
        }
        messagesOut++;
    }

    private void writeRaw(byte[] bytes) throws IOException {
        writeLock.lock();
        try {
            out.write(bytes, 0, bytes.length);
            bytesOut += bytes.length;
        } finally {
            writeLock.unlock();
        }
    }

    private void offer(byte[] bytes) {
        writeLock.lock();
        try {
            if (out.offer(bytes)) {
                bytesOut += bytes.length;
            }
        } finally {
            writeLock.unlock();
        }
    }

    /** Sends are written at once: nothing waits to be flushed. */
    @Override
    public void flush() {}

    @Override
    public void shutdownOutput() {
        outputShut = true;
        out.shutdown();
    }

    /**
     * Ends the connection abruptly, as a TCP reset does: both ends fail at once, the peer's
     * {@code receive()} returns null with a {@code BROKEN} reason, and anything in flight is lost.
     */
    public void reset() {
        in.reset("connection reset by peer");
        out.reset("connection reset by peer");
        close(CloseReason.of(CloseReason.Code.BROKEN, "connection reset"));
    }

    /** Whether this end came to wait in {@code receive()} for bytes, none left, within {@code nanos}. */
    boolean awaitReceiving(long nanos) throws InterruptedException {
        return in.awaitReaderWaiting(nanos);
    }

    /** {@return the bytes this end sent that the peer has not read yet} */
    public int unreadByPeer() {
        return out.buffered();
    }

    @Override
    public String protocol() {
        return "memory";
    }

    @Override
    public SocketAddress local() {
        return local;
    }

    @Override
    public SocketAddress remote() {
        return remote;
    }

    @Override
    public ConnectionStats stats() {
        return new ConnectionStats(openedAt, messagesIn, messagesOut, bytesIn, bytesOut, 0, 0);
    }

    @Override
    public boolean isOpen() {
        return closeReason.get() == null;
    }

    @Override
    public CloseReason closeReason() {
        return closeReason.get();
    }

    /** As a socket connection closes: the framing's farewell for the reason, end of stream, then nothing more read. */
    @Override
    public void close(CloseReason reason) {
        if (!closeReason.compareAndSet(null, reason)) {
            return;
        }
        byte[] farewell = outputShut ? null : framing.farewell(reason);
        if (farewell != null) {
            offer(farewell); // never waits on a peer that does not read
        }
        out.shutdown();
        in.closeReader();
    }

    @Override
    public String toString() {
        return "memory connection " + id + " (" + name + ")";
    }

    static SocketAddress address(int port) {
        return new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port);
    }
}
