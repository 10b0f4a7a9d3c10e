package dev.sockit.transport.linux;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * An accepted TCP socket read and written through system calls of our own, waiting on an
 * edge-triggered {@link EpollPoller}: a drop-in for the JDK's blocking {@link SocketChannel}
 * under sockit's connection (reads and writes block the calling virtual thread by parking it;
 * a close from another thread wakes it with {@link AsynchronousCloseException}).
 *
 * <p>Why it saves system calls: a read that returns less than it asked for has emptied the
 * socket (TCP hands over everything queued, up to the room given), so the next read does not
 * ask the kernel again only to hear {@code EAGAIN}: it parks until the poller marks the socket
 * readable. The ready flag is cleared before each read and set by every edge, so an edge that
 * lands between a read and the park is never lost: at worst one read more finds nothing. The
 * end of stream is the exception (a read that returns the last data does not report the end
 * that follows it), so the peer's half-close sets a flag of its own that no read clears.
 *
 * <p>The descriptor is closed only when no call is using it ({@link #enter}/{@link #leave}), so
 * a close racing a read never lets the read reach a descriptor the kernel has handed to
 * another socket.
 */
public final class EpollSocketChannel extends SocketChannel {

    private static final int CLOSED = 1 << 30;
    private static final int EAGAIN = SystemCallException.EAGAIN;

    private final int fd;
    private final EpollPoller poller;
    private final long token;
    private final InetSocketAddress remote;
    private volatile InetSocketAddress local;
    // errno for the reader, the writer and the probe, and the probe's count: 32 bytes, from a pool.
    private final MemorySegment slot;
    private final MemorySegment readState;
    private final MemorySegment writeState;
    private final MemorySegment probeState;
    // Calls using the descriptor now, and CLOSED once the channel is closed.
    private final AtomicInteger uses = new AtomicInteger();

    private volatile boolean readable = true; // unknown until the first read: try it
    private volatile boolean writable = true;
    private volatile Thread readWaiter;
    private volatile Thread writeWaiter;
    // Set for good by the peer's half-close, a hang-up or an error: a read that emptied the
    // socket of data has not yet seen the end of stream or the error, so reads go on until
    // they do, whatever the ready flag says.
    private volatile boolean hungUp;
    private volatile boolean inputShut;
    private volatile boolean outputShut;

    private EpollSocketChannel(int fd, InetSocketAddress remote) throws IOException {
        super(SelectorProvider.provider());
        this.fd = fd;
        this.remote = remote;
        this.slot = EpollSlots.take();
        this.readState = slot.asSlice(0, 8);
        this.writeState = slot.asSlice(8, 8);
        this.probeState = slot.asSlice(16, 8);
        this.poller = EpollPoller.next();
        long registered;
        try {
            registered = poller.register(this, fd);
        } catch (IOException | RuntimeException e) {
            EpollSlots.give(slot);
            throw e;
        }
        this.token = registered;
    }

    /**
     * Wraps an accepted, non-blocking socket, registering it with a poller; on failure the
     * descriptor is closed.
     */
    static EpollSocketChannel accepted(int fd, InetSocketAddress remote) throws IOException {
        try {
            return new EpollSocketChannel(fd, remote);
        } catch (IOException | RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
    }

    /** Called by the poller for each edge: marks what became ready and wakes whoever waits for it. */
    void ready(int events) {
        if ((events & (EpollCalls.EPOLLRDHUP | EpollCalls.EPOLLHUP | EpollCalls.EPOLLERR)) != 0) {
            hungUp = true;
        }
        if ((events & (EpollCalls.EPOLLIN | EpollCalls.EPOLLRDHUP | EpollCalls.EPOLLHUP | EpollCalls.EPOLLERR)) != 0) {
            readable = true;
            Thread waiter = readWaiter;
            if (waiter != null) {
                LockSupport.unpark(waiter);
            }
        }
        if ((events & (EpollCalls.EPOLLOUT | EpollCalls.EPOLLHUP | EpollCalls.EPOLLERR)) != 0) {
            writable = true;
            Thread waiter = writeWaiter;
            if (waiter != null) {
                LockSupport.unpark(waiter);
            }
        }
    }

    /** True when input may be waiting: an edge came since the last read emptied the socket. No system call. */
    public boolean mayRead() {
        return readable || hungUp || inputShut;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        int room = dst.remaining();
        for (;;) {
            if (inputShut) {
                ensureOpen();
                return -1;
            }
            if (readable || hungUp) {
                if (room == 0) {
                    ensureOpen();
                    return 0;
                }
                long n;
                enter();
                try {
                    readable = false;
                    n = EpollCalls.read(fd, segment(dst), readState);
                } finally {
                    leave();
                }
                if (n > 0) {
                    dst.position(dst.position() + (int) n);
                    if (n == room) {
                        readable = true; // the socket may hold more: the next read asks
                    }
                    return (int) n;
                }
                if (n == 0) {
                    readable = true; // end of stream stays readable
                    return -1;
                }
                if (n != -EAGAIN) {
                    readable = true;
                    throw failure((int) -n);
                }
            }
            awaitReadable();
        }
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        // Not on sockit's path; correct rather than fast: the first buffer with room.
        for (int i = offset; i < offset + length; i++) {
            if (dsts[i].hasRemaining()) {
                return read(dsts[i]);
            }
        }
        return read(ByteBuffer.allocate(0));
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        int total = 0;
        while (src.hasRemaining()) {
            if (outputShut) {
                ensureOpen();
                throw new ClosedChannelException();
            }
            long n;
            ByteBuffer from = src.isReadOnly() && !src.isDirect() ? copy(src) : src;
            enter();
            try {
                writable = false;
                n = EpollCalls.write(fd, segment(from), writeState);
            } finally {
                leave();
            }
            if (n >= 0) {
                src.position(src.position() + (int) n);
                total += (int) n;
            } else if (n == -EAGAIN) {
                awaitWritable();
            } else {
                throw failure((int) -n);
            }
        }
        return total;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            total += write(srcs[i]);
        }
        return total;
    }

    private void awaitReadable() throws IOException {
        Thread me = Thread.currentThread();
        readWaiter = me;
        try {
            while (!readable && !hungUp && !inputShut) {
                park(me);
            }
        } finally {
            readWaiter = null;
        }
    }

    private void awaitWritable() throws IOException {
        Thread me = Thread.currentThread();
        writeWaiter = me;
        try {
            while (!writable && !outputShut) {
                park(me);
            }
        } finally {
            writeWaiter = null;
        }
    }

    // The waiter is published before the flag is read, and the closer sets the closed state
    // before it reads the waiter: one of the two always sees the other.
    private void park(Thread me) throws IOException {
        if (!isOpen()) {
            throw new AsynchronousCloseException();
        }
        if (me.isInterrupted()) {
            close(); // as the JDK's channels do: an interrupted blocking call closes the channel
            throw new ClosedByInterruptException();
        }
        LockSupport.park(this);
    }

    /** Bytes waiting unread in the kernel ({@code FIONREAD}); 0 once closed. Safe from any thread. */
    public int available() throws IOException {
        enter();
        try {
            synchronized (probeState) {
                int n = EpollCalls.unread(fd, slot.asSlice(24, 4), probeState);
                if (n < 0) {
                    throw failure(-n);
                }
                return n;
            }
        } finally {
            leave();
        }
    }

    private void enter() throws ClosedChannelException {
        for (;;) {
            int now = uses.get();
            if ((now & CLOSED) != 0) {
                throw new AsynchronousCloseException();
            }
            if (uses.compareAndSet(now, now + 1)) {
                return;
            }
        }
    }

    private void leave() {
        if (uses.decrementAndGet() == CLOSED) {
            release();
        }
    }

    @Override
    protected void implCloseSelectableChannel() {
        int before = uses.getAndUpdate(now -> now | CLOSED);
        poller.deregister(token);
        wake(readWaiter);
        wake(writeWaiter);
        if (before == 0) {
            release();
        }
    }

    private static void wake(Thread waiter) {
        if (waiter != null) {
            LockSupport.unpark(waiter);
        }
    }

    // Exactly once, when closed and no call is using the descriptor.
    private void release() {
        Libc.close(fd);
        EpollSlots.give(slot);
    }

    @Override
    protected void implConfigureBlocking(boolean block) throws IOException {
        if (!block) {
            throw new UnsupportedOperationException("sockit's epoll channel is used in blocking mode only");
        }
    }

    @Override
    public SocketChannel shutdownInput() throws IOException {
        shutdown(EpollCalls.SHUT_RD);
        inputShut = true;
        wake(readWaiter);
        return this;
    }

    @Override
    public SocketChannel shutdownOutput() throws IOException {
        shutdown(EpollCalls.SHUT_WR);
        outputShut = true;
        wake(writeWaiter);
        return this;
    }

    private void shutdown(int how) throws IOException {
        enter();
        try {
            int r;
            synchronized (probeState) {
                r = EpollCalls.shutdown(fd, how, probeState);
            }
            if (r < 0 && -r != 107 /* ENOTCONN: the peer is gone already */) {
                throw failure(-r);
            }
        } finally {
            leave();
        }
    }

    @Override
    public <T> SocketChannel setOption(SocketOption<T> name, T value) throws IOException {
        enter();
        try {
            EpollOptions.set(fd, name, value);
        } finally {
            leave();
        }
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        enter();
        try {
            return EpollOptions.get(fd, name);
        } finally {
            leave();
        }
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return EpollOptions.SUPPORTED;
    }

    @Override
    public SocketChannel bind(SocketAddress address) throws IOException {
        throw new java.nio.channels.AlreadyBoundException();
    }

    @Override
    public Socket socket() {
        throw new UnsupportedOperationException("sockit's epoll channel has no java.net.Socket view; use available()");
    }

    @Override
    public boolean isConnected() {
        return isOpen();
    }

    @Override
    public boolean isConnectionPending() {
        return false;
    }

    @Override
    public boolean connect(SocketAddress address) {
        throw new AlreadyConnectedException();
    }

    @Override
    public boolean finishConnect() {
        return true;
    }

    @Override
    public SocketAddress getRemoteAddress() throws IOException {
        ensureOpen();
        return remote;
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        ensureOpen();
        InetSocketAddress known = local;
        if (known == null) {
            enter();
            try {
                known = (InetSocketAddress) Descriptors.localAddress(fd);
            } finally {
                leave();
            }
            local = known;
        }
        return known;
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }

    private IOException failure(int errno) {
        // The C library's words, as the JDK's own exceptions carry them ("Connection reset by
        // peer", "Broken pipe"), so that whoever describes the failure reads it the same way.
        return new SocketException(Libc.strerror(errno) + " (" + SystemCallException.name(errno) + ")");
    }

    private static MemorySegment segment(ByteBuffer buffer) {
        return MemorySegment.ofBuffer(buffer);
    }

    private static ByteBuffer copy(ByteBuffer readOnly) {
        ByteBuffer copy = ByteBuffer.allocate(readOnly.remaining());
        copy.put(readOnly.duplicate()).flip();
        return copy;
    }

    @Override
    public String toString() {
        return "epoll socket " + fd + " from " + remote;
    }
}
