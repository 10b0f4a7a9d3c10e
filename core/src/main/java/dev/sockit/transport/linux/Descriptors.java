package dev.sockit.transport.linux;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The file descriptors behind the JDK's socket channels, which the JDK does not give out.
 *
 * <p>{@link #of} finds a channel's descriptor among the process's open ones ({@code /proc/self/fd})
 * by asking the kernel each socket's own address (and peer, and whether it listens) and
 * comparing with what the channel reports: a bound listening socket and a connected TCP socket
 * are each the only one with their addresses. It costs one look at every open descriptor, so
 * it is for a listener at start, a client at connect, and an accepted connection only once it
 * streams into a discard handler (its receive low-water mark), never for every accepted one.
 *
 * <p>{@link #adopt} does the reverse, for a listening socket passed in by number (systemd
 * socket activation): the JDK cannot wrap a descriptor in a channel, so a channel of the same
 * family is opened and bound to a throwaway address, and the passed socket is put under its
 * descriptor with {@code dup2(2)}. The channel then accepts from the passed socket; only its
 * cached local address is the throwaway one, which is why {@link Adopted} carries the real one.
 */
public final class Descriptors {

    private static final Path OPEN_DESCRIPTORS = Path.of("/proc/self/fd");

    private Descriptors() {}

    /** A listening socket adopted into a JDK channel: its descriptor now, and the address it really listens on. */
    public record Adopted(ServerSocketChannel channel, int fd, SocketAddress address) {}

    /**
     * The descriptor of a bound {@code channel}: a listening {@link ServerSocketChannel} or a
     * connected {@link SocketChannel}.
     *
     * @throws IOException when no open descriptor, or more than one, has its addresses
     */
    public static int of(NetworkChannel channel) throws IOException {
        Platform.require("finding a socket's descriptor");
        SocketAddress local = channel.getLocalAddress();
        SocketAddress remote = channel instanceof SocketChannel connected ? connected.getRemoteAddress() : null;
        boolean listening = channel instanceof ServerSocketChannel;
        if (local == null) {
            throw new IOException("the socket is not bound yet; bind or connect it first");
        }
        List<Integer> found = find(local, remote, listening);
        if (found.size() != 1) {
            throw new IOException((found.isEmpty() ? "no open socket has" : found.size() + " open sockets have")
                    + " the addresses of " + local + (remote == null ? "" : " -> " + remote)
                    + "; cannot tell which descriptor is this channel's");
        }
        return found.getFirst();
    }

    /** The open descriptors whose socket has these addresses, and listens or not. */
    static List<Integer> find(SocketAddress local, SocketAddress remote, boolean listening) throws IOException {
        List<Integer> found = new ArrayList<>(1);
        try (DirectoryStream<Path> open = Files.newDirectoryStream(OPEN_DESCRIPTORS); Arena arena = Arena.ofConfined()) {
            for (Path entry : open) {
                int fd = Integer.parseInt(entry.getFileName().toString());
                if (isSocket(entry) && matches(fd, local, remote, listening, arena)) {
                    found.add(fd);
                }
            }
        }
        return found;
    }

    /**
     * Takes the listening stream socket at {@code fd} into a JDK channel; {@code fd} itself is
     * closed, whether or not it succeeds (the channel holds the socket under a descriptor of its own).
     *
     * @throws IOException when {@code fd} is not a listening stream socket, saying what it is
     */
    public static Adopted adopt(int fd) throws IOException {
        return adopt(fd, Libc.SOCK_STREAM);
    }

    /**
     * {@link #adopt(int)} for a listening socket of {@code type}: {@link Libc#SOCK_STREAM}, or
     * {@link Libc#SOCK_SEQPACKET} (Unix), which the JDK's channels then accept from, read and
     * write as if it were a stream: each read(2) takes one message, each write(2) sends one.
     */
    static Adopted adopt(int fd, int wanted) throws IOException {
        Platform.require("taking over a passed socket");
        try {
            return adoptOrFail(fd, wanted);
        } finally {
            Libc.close(fd); // taken under another number, or refused: this one is done with either way
        }
    }

    private static Adopted adoptOrFail(int fd, int wanted) throws IOException {
        int domain;
        int type;
        int listening;
        try {
            domain = Libc.getInt(fd, Libc.SOL_SOCKET, Libc.SO_DOMAIN);
            type = Libc.getInt(fd, Libc.SOL_SOCKET, Libc.SO_TYPE);
            listening = Libc.getInt(fd, Libc.SOL_SOCKET, Libc.SO_ACCEPTCONN);
        } catch (SystemCallException e) {
            throw new IOException("descriptor " + fd + " is not a socket (" + e.getMessage() + ")", e);
        }
        if (type != wanted || listening != 1) {
            throw new IOException("descriptor " + fd + " is a " + typeName(type) + " socket"
                    + (listening == 1 ? "" : " that does not listen") + "; a server takes a listening " + typeName(wanted)
                    + " socket" + (wanted == Libc.SOCK_STREAM ? " (ListenStream= in the systemd .socket unit)" : ""));
        }
        ServerSocketChannel placeholder = switch (domain) {
            case Libc.AF_INET -> ServerSocketChannel.open(java.net.StandardProtocolFamily.INET)
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
            case Libc.AF_INET6 -> ServerSocketChannel.open(java.net.StandardProtocolFamily.INET6)
                    .bind(new InetSocketAddress(0), 1);
            case Libc.AF_UNIX -> ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX).bind(null, 1);
            default -> throw new IOException("descriptor " + fd + " is a socket of family " + domain
                    + "; a server takes an IPv4, IPv6 or Unix one");
        };
        try {
            int under = of(placeholder);
            int flags = Libc.fcntl(fd, Libc.F_GETFL, 0);
            // The JDK takes a new channel's descriptor to be blocking; systemd may pass it non-blocking.
            Libc.fcntl(fd, Libc.F_SETFL, flags & ~Libc.O_NONBLOCK);
            SocketAddress throwaway = placeholder.getLocalAddress();
            Libc.dup2(fd, under);
            if (throwaway instanceof UnixDomainSocketAddress file) {
                Files.deleteIfExists(file.getPath());
            }
            return new Adopted(placeholder, under, localAddress(under));
        } catch (IOException | RuntimeException e) {
            placeholder.close();
            throw e;
        }
    }

    /** The address the socket at {@code fd} is bound to: an {@link InetSocketAddress}, or a Unix path or {@code @name}. */
    public static SocketAddress localAddress(int fd) throws SystemCallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = Libc.getsockname(fd, arena);
            return Sockaddr.family(name) == Libc.AF_UNIX ? new UnixName(Sockaddr.unixName(name)) : Sockaddr.decode(name);
        }
    }

    /** A Unix socket's name as the kernel has it: a path, or {@code @name} in the abstract namespace. */
    public static final class UnixName extends SocketAddress {
        private static final long serialVersionUID = 1L;
        private final String name;

        UnixName(String name) {
            this.name = name;
        }

        /** The path, {@code @name} in the abstract namespace, or "" when unnamed. */
        public String name() {
            return name;
        }

        @Override
        public String toString() {
            return "unix:" + name;
        }
    }

    private static boolean isSocket(Path entry) {
        try {
            return Files.readSymbolicLink(entry).toString().startsWith("socket:");
        } catch (IOException | UnsupportedOperationException e) {
            return false; // closed since the directory was read, or not ours to read
        }
    }

    private static boolean matches(int fd, SocketAddress local, SocketAddress remote, boolean listening, Arena arena) {
        try {
            if (!same(Libc.getsockname(fd, arena), local)) {
                return false;
            }
            if (remote != null && !same(Libc.getpeername(fd, arena), remote)) {
                return false;
            }
            // An accepted socket has its listener's local address; only the listener accepts.
            return (Libc.getInt(fd, Libc.SOL_SOCKET, Libc.SO_ACCEPTCONN) == 1) == listening;
        } catch (SystemCallException e) {
            return false; // not connected, closed meanwhile: not the one
        }
    }

    private static boolean same(MemorySegment name, SocketAddress address) {
        int family = Sockaddr.family(name);
        if (address instanceof UnixDomainSocketAddress unix) {
            return family == Libc.AF_UNIX && Sockaddr.unixName(name).equals(unix.getPath().toString());
        }
        if (!(address instanceof InetSocketAddress inet) || (family != Libc.AF_INET && family != Libc.AF_INET6)) {
            return false;
        }
        // The kernel writes an IPv4 peer of a dual-stack socket as ::ffff:a.b.c.d, which reads back as IPv4.
        InetSocketAddress kernel = Sockaddr.decode(name);
        return kernel.getPort() == inet.getPort() && (kernel.getAddress().equals(inet.getAddress())
                || kernel.getAddress().isAnyLocalAddress() && inet.getAddress().isAnyLocalAddress());
    }

    private static String typeName(int type) {
        return switch (type) {
            case Libc.SOCK_STREAM -> "stream";
            case Libc.SOCK_DGRAM -> "datagram";
            case Libc.SOCK_SEQPACKET -> "seqpacket";
            case Libc.SOCK_RAW -> "raw";
            default -> "type " + type;
        };
    }
}
