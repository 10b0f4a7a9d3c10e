package dev.sockit.transport.linux;


import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A bound Unix datagram socket ({@code SOCK_DGRAM}), which the JDK cannot open: a server's,
 * receiving from any sender and answering each by its name. Unix datagrams are not lost: a
 * sender whose peer's queue is full waits (here: retries, parked, for at most
 * {@link #SEND_PATIENCE}).
 *
 * <p>{@link #receive} waits in {@code poll(2)}, holding its thread: one platform thread
 * receives. {@link #send} never blocks in the kernel, so any thread may send.
 */
public final class UnixDatagramSocket implements AutoCloseable {

    /** How long a send waits for room in a receiver's full queue before it gives up. */
    public static final Duration SEND_PATIENCE = Duration.ofSeconds(5);

    // How often a waiting receive looks up to see whether the socket was closed.
    private static final int POLL_MILLIS = 250;

    private final int fd;
    private final String name;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment in;
    private final MemorySegment sender = arena.allocate(Sockaddr.MAX_SIZE, 8);
    private final MemorySegment message = Libc.messageHeader(arena);
    // Sends and receives hold it shared; close holds it alone, so that the descriptor is never
    // used after it was closed (and perhaps reused for another file).
    private final ReentrantReadWriteLock use = new ReentrantReadWriteLock();
    private volatile boolean closed;

    private UnixDatagramSocket(int fd, String name, int maxDatagram) {
        this.fd = fd;
        this.name = name;
        this.in = arena.allocate(maxDatagram + 1L, 8);
    }

    /**
     * Binds a datagram socket to {@code name}: a path, or {@code @} and an abstract name.
     *
     * @param maxDatagram the longest datagram received whole; a longer one fills the buffer
     *     given to {@link #receive} (one byte over its limit, for the caller to refuse)
     * @throws SystemCallException from socket or bind, for the caller to explain
     */
    public static UnixDatagramSocket bind(String name, int maxDatagram) throws IOException {
        Platform.require("unixgram sockets");
        int fd = Libc.socket(Libc.AF_UNIX, Libc.SOCK_DGRAM, 0);
        try (Arena call = Arena.ofConfined()) {
            boolean abstractName = name.startsWith("@");
            Libc.bind(fd, Sockaddr.unix(abstractName ? name.substring(1) : name, abstractName, call));
            return new UnixDatagramSocket(fd, name, maxDatagram);
        } catch (IOException | RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
    }

    /** The name it is bound to. */
    public String name() {
        return name;
    }

    /**
     * Waits for the next datagram and puts it in {@code buffer}, cut to its room.
     *
     * @return the sender's name: a path, {@code @name}, or "" for a socket bound to no name
     *     (which cannot be answered)
     * @throws ClosedChannelException once the socket is closed
     */
    public String receive(ByteBuffer buffer) throws IOException {
        while (true) {
            use.readLock().lock();
            try {
                if (closed) {
                    throw new ClosedChannelException();
                }
                if (!Libc.pollIn(fd, POLL_MILLIS)) {
                    continue;
                }
                long n;
                try {
                    n = recvmsg();
                } catch (SystemCallException e) {
                    if (e.errno() == SystemCallException.EAGAIN) {
                        continue;
                    }
                    throw e;
                }
                if (closed) {
                    throw new ClosedChannelException(); // woken by the shutdown of close()
                }
                int length = (int) Math.min(n, buffer.remaining());
                buffer.put(in.asSlice(0, length).asByteBuffer());
                return Sockaddr.unixName(sender.asSlice(0, Libc.nameLength(message)));
            } finally {
                use.readLock().unlock();
            }
        }
    }

    private long recvmsg() throws SystemCallException {
        return Libc.recvmsg(fd, message, in, sender, null);
    }

    /**
     * Sends {@code datagram} to the socket named {@code to}, waiting (parked, a millisecond and
     * more at a time) while its queue is full, for {@link #SEND_PATIENCE} at most.
     *
     * @throws SystemCallException when the kernel refuses: no such name ({@code ENOENT},
     *     {@code ECONNREFUSED}), or its queue stayed full ({@code EAGAIN})
     */
    public void send(ByteBuffer datagram, String to) throws IOException {
        long deadline = System.nanoTime() + SEND_PATIENCE.toNanos();
        long pause = 1;
        try (Arena call = Arena.ofConfined()) {
            MemorySegment data = call.allocate(Math.max(1, datagram.remaining()));
            int length = datagram.remaining();
            MemorySegment.copy(MemorySegment.ofBuffer(datagram), 0, data, 0, length);
            boolean abstractName = to.startsWith("@");
            MemorySegment address = Sockaddr.unix(abstractName ? to.substring(1) : to, abstractName, call);
            while (true) {
                use.readLock().lock();
                try {
                    if (closed) {
                        throw new ClosedChannelException();
                    }
                    Libc.sendto(fd, data.asSlice(0, length), Libc.MSG_DONTWAIT, address);
                    datagram.position(datagram.limit());
                    return;
                } catch (SystemCallException e) {
                    if (e.errno() != SystemCallException.EAGAIN || System.nanoTime() > deadline) {
                        throw e;
                    }
                } finally {
                    use.readLock().unlock();
                }
                try {
                    Thread.sleep(pause); // parks a virtual thread: no carrier is held while the peer catches up
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while " + to + " had no room");
                }
                pause = Math.min(pause * 2, 50);
            }
        }
    }

    /** Closes the socket; a waiting {@link #receive} ends with {@link ClosedChannelException}. Never throws. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Libc.shutdown(fd); // wakes a receive waiting in poll
        } catch (SystemCallException ignored) {
            // Not connected: the receive notices the flag within its poll interval instead.
        }
        use.writeLock().lock();
        try {
            Libc.close(fd);
            arena.close();
        } finally {
            use.writeLock().unlock();
        }
    }
}
