package dev.sockit.transport;

import dev.sockit.CloseReason;
import dev.sockit.ClosedConnectionException;
import dev.sockit.ConnectionStats;
import dev.sockit.Message;
import dev.sockit.Observer;
import dev.sockit.Peers;
import dev.sockit.framing.MessageTooLongException;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link dev.sockit.Connection} over a Unix {@code SOCK_SEQPACKET} socket (or a client's
 * {@code SOCK_DGRAM} socket connected to its server, which reads and writes the same way): each message the
 * peer sent is one message here, whole, and each {@code send} is one message there. The
 * kernel keeps the boundaries, so there is no framing: one read(2) returns one message, one
 * write(2) sends one.
 *
 * <p>What differs from a stream connection, deliberately:
 * <ul>
 *   <li>A message longer than {@code maxMessage} ends the connection ({@link MessageTooLongException}):
 *       the kernel cuts what does not fit in a read, so it cannot be delivered whole.</li>
 *   <li>An empty message ends the connection: the kernel reports it exactly as the end of
 *       the peer's stream (a read of 0 bytes).</li>
 *   <li>Sends are not queued: a send from any thread writes its message under a lock and
 *       waits while the peer's socket buffer is full, so a peer that does not read slows
 *       whoever sends to it (a broadcast too) — for the write timeout at most, after which
 *       the peer is closed as not reading.</li>
 *   <li>No heartbeat and no idle timeout: a Unix peer that dies is closed by the kernel.</li>
 * </ul>
 */
public final class PacketConnection extends AbstractConnection {

    /** The longest message a client takes: 64 KiB, a UDP datagram's worth (a server's is its maxDatagram). */
    public static final int CLIENT_MAX_MESSAGE = 65_536;

    private final SocketChannel channel;
    private final int maxMessage;
    private final Duration writeTimeout;
    private final Observer observer;
    private final ByteBuffer in;
    private final ReentrantLock writing = new ReentrantLock();
    private final Traffic traffic = new Traffic();
    private volatile CloseReason drainReason;
    private volatile boolean endOfStream;
    private volatile boolean outputShut;

    /**
     * @param channel    a connected seqpacket (or unixgram) socket, as a JDK channel
     * @param protocol   {@code unix+seqpacket} or {@code unixgram}, as {@link #protocol()} reports it
     * @param local      this side's name, as people write it
     * @param remote     the peer's name
     * @param maxMessage the longest message taken, in bytes
     * @param writeTimeout how long one send may wait for the peer to make room before the
     *                   peer is closed as not reading; {@link Duration#ZERO} for ever
     */
    public PacketConnection(long id, SocketChannel channel, String protocol, SocketAddress local, SocketAddress remote,
            int maxMessage, Duration writeTimeout, Observer observer) {
        super(id, protocol, local, remote);
        this.writeTimeout = writeTimeout;
        this.channel = channel;
        this.maxMessage = maxMessage;
        this.observer = observer;
        // One byte more than the limit: a read that fills it was of a longer message, cut by the kernel.
        this.in = ByteBuffer.allocate(maxMessage + 1);
    }

    @Override
    public Message receive() throws IOException {
        if (!isOpen()) {
            return null;
        }
        in.clear();
        int n;
        try {
            n = channel.read(in);
        } catch (ClosedChannelException e) {
            endOfStream = true;
            return null;
        } catch (IOException e) {
            if (!isOpen() || drainReason != null) {
                return null;
            }
            throw e;
        }
        if (n <= 0) {
            endOfStream = true;
            return null;
        }
        if (n > maxMessage) {
            throw new MessageTooLongException("message", maxMessage);
        }
        traffic.messageIn();
        traffic.bytesIn(n);
        Message message = Message.copyOf(in, 0, n);
        observer.received(this, message);
        return message;
    }

    @Override
    public void send(Message message) throws IOException {
        checkNotClosed();
        if (outputShut) {
            throw new ClosedConnectionException(toString(), CloseReason.of(CloseReason.Code.CLOSED, "output shut down"));
        }
        ByteBuffer packet = ByteBuffer.wrap(message.bytes());
        writing.lock();
        // A peer that takes nothing must not hold the sender (a broadcast, another handler) for
        // ever: past the write timeout it is closed, which ends the blocked write.
        ScheduledFuture<?> deadline = writeTimeout.isZero() ? null : Timer.after(writeTimeout, () -> close(
                CloseReason.of(CloseReason.Code.LIMIT, "not reading: a message waited "
                        + Durations.format(writeTimeout) + " for room")));
        try {
            channel.write(packet); // a seqpacket write is all or nothing: one message
        } catch (java.nio.channels.AsynchronousCloseException e) {
            CloseReason why = closeReason();
            throw new ClosedConnectionException(toString(), why == null ? CloseReason.closed() : why);
        } finally {
            if (deadline != null) {
                deadline.cancel(false);
            }
            writing.unlock();
        }
        traffic.sent(message.length());
    }

    @Override
    public void flush() {
        // Every send has been written when it returns.
    }

    @Override
    public void shutdownOutput() throws IOException {
        outputShut = true;
        channel.shutdownOutput();
    }

    @Override
    public ConnectionStats stats() {
        return traffic.stats(openedAt());
    }

    /** Stops input: the messages already queued in the kernel are still read, then end of stream. */
    @Override
    public void drain(CloseReason reason) {
        drainReason = reason;
        try {
            channel.shutdownInput();
        } catch (IOException e) {
            close(reason);
        }
    }

    @Override
    public CloseReason drainReason() {
        return drainReason;
    }

    @Override
    public boolean endOfStream() {
        return endOfStream;
    }

    @Override
    public void close(CloseReason reason) {
        if (!closing(reason)) {
            return;
        }
        if (reason.code() == CloseReason.Code.PROTOCOL_ERROR || reason.code() == CloseReason.Code.LIMIT) {
            // Tell the peer why, as a stream connection's lines framing would, in one message.
            // Only if no send is stuck on a peer that does not read: closing must never wait on it.
            if (writing.tryLock()) {
                try {
                    channel.write(ByteBuffer.wrap(("error: " + reason.text()).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                } catch (IOException ignored) {
                    // The peer is gone already: there is no one left to tell.
                } finally {
                    writing.unlock();
                }
            }
        }
        Tcp.closeQuietly(channel);
    }

    @Override
    public String toString() {
        return protocol() + " connection " + id() + " with " + Peers.describe(remote());
    }
}
