package dev.sockit.transport;

import dev.sockit.CloseReason;
import dev.sockit.ClosedConnectionException;
import dev.sockit.Connection;
import dev.sockit.ConnectionStats;
import dev.sockit.Message;
import dev.sockit.Observer;
import dev.sockit.Peers;
import dev.sockit.framing.Framing;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link Connection} over a stream socket channel (TCP or Unix domain) in blocking mode,
 * meant to be read by one virtual thread. The hot path:
 *
 * <pre>
 * receive(): decode from the read buffer → if nothing whole: flush replies, then one read()
 * send():    encode into the write buffer → write now, unless the reader has more input to
 *            work through (then its next wait flushes the whole batch in one write)
 * </pre>
 *
 * Both buffers are reused for the life of the connection; the only allocation per message is
 * the message itself.
 */
public final class SocketConnection implements Drainable {

    private static final int INITIAL_READ_BUFFER = 8 * 1024;
    private static final int INITIAL_WRITE_BUFFER = 8 * 1024;
    // A burst may grow the write buffer; past this size it is not kept once flushed.
    private static final int MAX_KEPT_WRITE_BUFFER = 64 * 1024;
    private static final ByteBuffer NO_BUFFER = ByteBuffer.allocate(0);
    // How long close() waits for a sender that holds the write lock before it cuts the socket.
    private static final long FAREWELL_LOCK_WAIT_MILLIS = 200;
    // A close must end even if the peer stops reading our last bytes.
    private static final Duration CLOSE_DEADLINE = Duration.ofSeconds(2);
    // After an error we read and discard what the peer still sends, so that our error line
    // is not destroyed by the reset that closing with unread input would send.
    private static final Duration LINGER = Duration.ofSeconds(1);
    private static final int LINGER_MAX_BYTES = 1 << 20;

    private final long id;
    private final SocketChannel channel;
    private final Framing framing;
    private final Framing.Decoder decoder;
    private final Observer observer;
    private final String protocol;
    private final SocketAddress local;
    private final SocketAddress remote;
    private final Instant openedAt = Instant.now();

    // Reader side: touched only by the thread in receive(), which is recorded in `reader`.
    private ByteBuffer in = ByteBuffer.allocate(INITIAL_READ_BUFFER).flip();
    private boolean endOfStream;
    private volatile Thread reader;
    private volatile long messagesIn;
    private volatile long bytesIn;

    // Writer side: guarded by writeLock.
    private final ReentrantLock writeLock = new ReentrantLock();
    private ByteBuffer out = NO_BUFFER;
    private volatile long messagesOut;
    private volatile long bytesOut;

    private final AtomicReference<CloseReason> closeReason = new AtomicReference<>();
    private volatile CloseReason drainReason;

    /**
     * Wraps a connected channel, TCP or Unix, which it configures and from then on owns.
     *
     * @param observer told of each message received; {@link Observer#NONE} for nobody
     * @throws IOException when the socket is already unusable (the peer reset it at once)
     */
    public SocketConnection(long id, SocketChannel channel, Framing framing, Observer observer) throws IOException {
        this.id = id;
        this.channel = channel;
        this.framing = framing;
        this.decoder = framing.decoder();
        this.observer = observer;
        this.remote = channel.getRemoteAddress();
        this.local = channel.getLocalAddress();
        // A Unix channel has no TCP options to set, and Java would refuse them.
        this.protocol = remote instanceof InetSocketAddress ? "tcp" : "unix";
        if (remote instanceof InetSocketAddress) {
            Tcp.configure(channel);
        }
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public Message receive() throws IOException {
        reader = Thread.currentThread();
        for (;;) {
            if (in.hasRemaining()) {
                Message message = decoder.decode(in);
                if (message != null) {
                    return received(message);
                }
            }
            if (endOfStream) {
                Message last = closeReason.get() == null ? decoder.finish(in) : null;
                return last == null ? null : received(last);
            }
            // Nothing whole is buffered: the replies to everything consumed so far leave now,
            // in one write, before we wait for more.
            flush();
            fill();
        }
    }

    private Message received(Message message) {
        messagesIn++;
        observer.received(this, message);
        return message;
    }

    /** Reads once into the read buffer, growing it when a message needs more room. */
    private void fill() throws IOException {
        in.compact();
        if (!in.hasRemaining()) {
            // The decoder bounds how large a partial message may get, so this stays bounded.
            in = ByteBuffer.allocate(in.capacity() * 2).put(in.flip());
        }
        int n;
        try {
            n = channel.read(in);
        } catch (ClosedChannelException closedHere) {
            n = -1;
        } catch (IOException broken) {
            in.flip();
            endOfStream = true;
            close(CloseReason.of(CloseReason.Code.BROKEN, Errors.describe(broken)));
            return;
        }
        in.flip();
        if (n < 0) {
            endOfStream = true;
        } else {
            bytesIn += n;
        }
    }

    @Override
    public void send(Message message) throws IOException {
        writeLock.lock();
        try {
            CloseReason reason = closeReason.get();
            if (reason != null) {
                throw new ClosedConnectionException(toString(), reason);
            }
            int length = framing.encodedLength(message);
            if (out.remaining() < length) {
                makeRoom(length);
            }
            framing.encode(message, out);
            messagesOut++;
            // The reader with more input to work through will flush before it next waits;
            // every other send leaves now.
            if (Thread.currentThread() != reader || !in.hasRemaining()) {
                flushLocked();
            }
        } finally {
            writeLock.unlock();
        }
    }

    private void makeRoom(int length) throws IOException {
        if (out.position() > 0) {
            flushLocked();
        }
        if (out.capacity() < length) {
            out = ByteBuffer.allocate(Math.max(length, INITIAL_WRITE_BUFFER));
        }
    }

    @Override
    public void flush() throws IOException {
        writeLock.lock();
        try {
            if (out.position() > 0) {
                flushLocked();
            }
        } finally {
            writeLock.unlock();
        }
    }

    private void flushLocked() throws IOException {
        out.flip();
        try {
            while (out.hasRemaining()) {
                bytesOut += channel.write(out);
            }
        } catch (IOException e) {
            CloseReason reason = CloseReason.of(CloseReason.Code.BROKEN, Errors.describe(e));
            if (closeReason.compareAndSet(null, reason)) {
                Tcp.closeQuietly(channel);
            }
            throw new ClosedConnectionException(toString(), closeReason.get());
        } finally {
            out.clear();
            if (out.capacity() > MAX_KEPT_WRITE_BUFFER) {
                out = ByteBuffer.allocate(INITIAL_WRITE_BUFFER);
            }
        }
    }

    @Override
    public void shutdownOutput() throws IOException {
        flush();
        channel.shutdownOutput();
    }

    /**
     * Stops reading for a graceful shutdown: {@link #receive()} returns what is already
     * buffered, then end of stream, so the handler finishes its loop and its replies go out.
     * The connection then closes with {@code reason}.
     */
    @Override
    public void drain(CloseReason reason) {
        drainReason = reason;
        try {
            channel.shutdownInput();
        } catch (IOException ignored) {
            // Already closed or reset: the handler is ending anyway.
        }
    }

    /** The reason given to {@link #drain}, or null. */
    @Override
    public CloseReason drainReason() {
        return drainReason;
    }

    /** True once the peer ended its stream (or the connection was closed under the reader). */
    @Override
    public boolean endOfStream() {
        return endOfStream;
    }

    @Override
    public void close(CloseReason reason) {
        if (!closeReason.compareAndSet(null, reason)) {
            return;
        }
        ScheduledFuture<?> deadline = Timer.after(CLOSE_DEADLINE, () -> Tcp.closeQuietly(channel));
        try {
            if (sayFarewell(reason) && reason.isError() && mayLinger()) {
                linger();
            }
        } finally {
            deadline.cancel(false);
            Tcp.closeQuietly(channel);
        }
    }

    /** Flushes pending sends and the framing's farewell; true if all of it was written. */
    private boolean sayFarewell(CloseReason reason) {
        try {
            if (!writeLock.tryLock(FAREWELL_LOCK_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                return false; // a sender is stuck on a peer that does not read: cut it off
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        try {
            Message farewell = framing.farewell(reason);
            if (farewell != null) {
                int length = framing.encodedLength(farewell);
                if (out.remaining() < length) {
                    makeRoom(length);
                }
                framing.encode(farewell, out);
            }
            if (out.position() > 0) {
                flushLocked();
            }
            return true;
        } catch (IOException e) {
            return false;
        } finally {
            writeLock.unlock();
        }
    }

    // Only the reader may read; a close from another thread leaves the reader to wake up.
    private boolean mayLinger() {
        Thread current = reader;
        return current == null || current == Thread.currentThread();
    }

    private void linger() {
        ScheduledFuture<?> deadline = Timer.after(LINGER, () -> Tcp.closeQuietly(channel));
        try {
            channel.shutdownOutput();
            ByteBuffer sink = in.capacity() > 0 ? in.clear() : ByteBuffer.allocate(INITIAL_READ_BUFFER);
            for (long discarded = 0; discarded < LINGER_MAX_BYTES; sink.clear()) {
                int n = channel.read(sink);
                if (n < 0) {
                    break;
                }
                discarded += n;
            }
        } catch (IOException ignored) {
            // Reset, closed by the deadline, or already gone: the lingering is over either way.
        } finally {
            deadline.cancel(false);
            in = NO_BUFFER;
        }
    }

    @Override
    public String protocol() {
        return protocol;
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
        return new ConnectionStats(openedAt, messagesIn, messagesOut, bytesIn, bytesOut);
    }

    @Override
    public boolean isOpen() {
        return closeReason.get() == null;
    }

    @Override
    public CloseReason closeReason() {
        return closeReason.get();
    }

    @Override
    public String toString() {
        return "connection " + id + " with " + Peers.describe(remote);
    }
}
