package dev.sockit.transport.linux;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;

/**
 * Unix domain sockets the JDK cannot open: names in the abstract namespace ({@code @name}: no
 * file, gone when the last socket bound to it closes) and {@code SOCK_SEQPACKET} sockets
 * (connected, reliable, each write one message that one read returns whole), and the client
 * side of {@code SOCK_DGRAM} ones (connected to one server; see {@link UnixDatagramSocket} for
 * a server's). They are made
 * here with system calls and handed to the JDK's channels ({@link Descriptors#adopt}), which
 * then accept, read and write them with virtual threads parked, not pinned, while they wait.
 *
 * <p>A name is a path, or {@code @} and the abstract name.
 */
public final class UnixSockets {

    private UnixSockets() {}

    /**
     * A listening socket of {@code type} ({@link Libc#SOCK_STREAM}, {@link Libc#SOCK_SEQPACKET})
     * bound to {@code name}. A path must be free: the caller clears a stale socket file first.
     *
     * @throws SystemCallException from socket, bind or listen, for the caller to explain
     */
    public static ServerSocketChannel listen(int type, String name, int backlog) throws IOException {
        Platform.require(what(type, name));
        int fd = Libc.socket(Libc.AF_UNIX, type, 0);
        try (Arena arena = Arena.ofConfined()) {
            Libc.bind(fd, address(name, arena));
            Libc.listen(fd, backlog);
        } catch (IOException | RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
        return Descriptors.adopt(fd, type).channel(); // closes fd, taken or not
    }

    /**
     * A socket of {@code type} connected to {@code name}, as a JDK channel. Its
     * {@code getRemoteAddress()} is a stand-in's: ask the caller's endpoint for the peer.
     *
     * @throws SystemCallException from socket or connect, for the caller to explain
     */
    public static SocketChannel connect(int type, String name) throws IOException {
        Platform.require(what(type, name));
        int fd = Libc.socket(Libc.AF_UNIX, type, 0);
        try (Arena arena = Arena.ofConfined()) {
            if (type == Libc.SOCK_DGRAM) {
                // A datagram server answers a sender by its name: bound to none, a client could
                // never hear back. An address of the family alone asks the kernel for a unique
                // abstract name ("autobind").
                MemorySegment family = arena.allocate(2, 2);
                family.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 0, (short) Libc.AF_UNIX);
                Libc.bind(fd, family);
            }
            Libc.connect(fd, address(name, arena));
            SocketChannel channel = connectedStandIn();
            try {
                Libc.dup2(fd, Descriptors.of(channel));
                return channel;
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        } finally {
            Libc.close(fd);
        }
    }

    // The JDK reads and writes only a channel it believes connected: connect one to a throwaway
    // listener, then put the real socket under its descriptor.
    private static SocketChannel connectedStandIn() throws IOException {
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(null, 1)) {
            UnixDomainSocketAddress where = (UnixDomainSocketAddress) listener.getLocalAddress();
            try {
                SocketChannel channel = SocketChannel.open(where);
                listener.accept().close();
                return channel;
            } finally {
                Files.deleteIfExists(where.getPath());
            }
        }
    }

    private static MemorySegment address(String name, Arena arena) {
        boolean abstractName = name.startsWith("@");
        return Sockaddr.unix(abstractName ? name.substring(1) : name, abstractName, arena);
    }

    private static String what(int type, String name) {
        return type == Libc.SOCK_SEQPACKET ? "unix+seqpacket sockets" : type == Libc.SOCK_DGRAM ? "unixgram sockets"
                : name.startsWith("@")
                ? "abstract Unix socket names (unix:@NAME)" : "this Unix socket";
    }
}
