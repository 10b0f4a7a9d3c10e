package dev.sockit.transport.linux;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Locale;

/**
 * Accepts from a JDK listening TCP channel's descriptor with {@code accept4(2)}, so that each
 * connection is an {@link EpollSocketChannel}: the opt-in epoll transport
 * ({@code -Ddev.sockit.transport=epoll}, Linux x86_64 only; the JDK's channels everywhere
 * else). The listener stays the JDK's for binding, options and closing; only its accepts
 * move here, on the listener's own platform thread, blocking in the kernel.
 */
public final class EpollAcceptor {

    private final ServerSocketChannel listening;
    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment name;
    private final MemorySegment nameLength;
    private final MemorySegment state;
    private volatile boolean closed;

    private EpollAcceptor(ServerSocketChannel listening, int fd) {
        this.listening = listening;
        this.fd = fd;
        this.name = arena.allocate(Sockaddr.MAX_SIZE, 8);
        this.nameLength = arena.allocate(JAVA_INT);
        this.state = arena.allocate(EpollCalls.CALL_STATE);
    }

    /** True when the epoll transport is asked for ({@code dev.sockit.transport=epoll}) and this machine has it. */
    public static boolean requested() {
        return "epoll".equals(System.getProperty("dev.sockit.transport", "jdk").toLowerCase(Locale.ROOT))
                && Platform.supported();
    }

    /**
     * An acceptor for {@code listening}, a bound TCP listener; null when its descriptor cannot
     * be told apart (another listener of this process shares its address through
     * {@code SO_REUSEPORT}), and the JDK's accept serves it instead.
     */
    public static EpollAcceptor of(ServerSocketChannel listening) {
        try {
            int fd = Descriptors.of(listening);
            // Only this thread accepts from it, blocking; the JDK never waits on it now.
            int flags = Libc.fcntl(fd, Libc.F_GETFL, 0);
            Libc.fcntl(fd, Libc.F_SETFL, flags & ~Libc.O_NONBLOCK);
            return new EpollAcceptor(listening, fd);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Waits for the next connection, blocking this (platform) thread.
     *
     * @throws ClosedChannelException once {@link #wake()} was called
     * @throws IOException when accept fails (out of descriptors, most often), saying why
     */
    public SocketChannel accept() throws IOException {
        for (;;) {
            if (closed) {
                throw new ClosedChannelException();
            }
            int client = EpollCalls.accept(fd, name, nameLength, state);
            if (client >= 0) {
                return EpollSocketChannel.accepted(client,
                        Sockaddr.decode(name.asSlice(0, nameLength.get(JAVA_INT, 0))));
            }
            int errno = -client;
            if (closed) {
                throw new ClosedChannelException();
            }
            // A connection that was reset while queued, or a signal: the next one.
            if (errno != SystemCallException.EINTR && errno != 103 /* ECONNABORTED */ && errno != SystemCallException.EAGAIN) {
                throw new SystemCallException("accept4", errno, Libc.strerror(errno));
            }
        }
    }

    /**
     * Makes a waiting {@link #accept()} return (Linux wakes a blocked accept when its socket is
     * shut down) and every later one refuse. The caller closes the JDK channel once the
     * accepting thread has ended, so that no accept reaches a reused descriptor.
     */
    public void wake() {
        closed = true;
        try {
            Libc.shutdown(fd);
        } catch (SystemCallException | RuntimeException notListening) {
            // Closed already: nothing waits in it.
        }
    }

    /** Frees the acceptor's memory, once its thread has ended. */
    public void free() {
        arena.close();
    }

    @Override
    public String toString() {
        return "epoll acceptor on descriptor " + fd + " of " + listening;
    }
}
