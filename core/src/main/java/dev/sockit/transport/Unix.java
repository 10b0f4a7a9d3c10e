package dev.sockit.transport;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import dev.sockit.Endpoint;
import dev.sockit.transport.linux.Libc;
import dev.sockit.transport.linux.SystemCallException;
import dev.sockit.transport.linux.UnixSockets;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;

/**
 * Opens Unix domain stream sockets: a listening socket file for a server, a connected channel
 * for a client. No framing.
 *
 * <p>A server owns its socket file: it refuses a path where another server listens or that is
 * not a socket, replaces a stale socket file that a dead server left behind, gives the file
 * its mode (who may connect: connecting needs write permission), and removes it when it stops.
 */
public final class Unix {

    /** Who may connect to a server's socket file unless told otherwise: its owner only, {@code 0600}. */
    public static final Set<PosixFilePermission> DEFAULT_MODE = Set.copyOf(PosixFilePermissions.fromString("rw-------"));

    // How long to wait for a server at the path to answer the probe. A live one answers at
    // once; one that does not within this time is busy, and still alive.
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private Unix() {}

    /** A listening channel and the socket file it made (null for an abstract name, which has none). */
    public record Bound(ServerSocketChannel channel, SocketFile file) {}

    /**
     * A socket file this process created, known by its file key (device and inode), so that
     * removing it never removes a file some other server has since put at the same path.
     */
    public record SocketFile(Path path, Object key) {

        /** Removes the file if it is still the one created here. Never throws. */
        public void remove() {
            try {
                Object now = Files.readAttributes(path, BasicFileAttributes.class, NOFOLLOW_LINKS).fileKey();
                if (key == null || key.equals(now)) {
                    Files.deleteIfExists(path);
                }
            } catch (IOException ignored) {
                // Already gone, or no longer ours to touch: either way there is nothing to undo.
            }
        }
    }

    /**
     * Binds a listening socket at the endpoint's path with the given mode.
     *
     * @throws IOException saying why, with the path and what to do: another server listens
     *     there, the path is not a socket, the directory is missing, the path is too long
     */
    public static Bound listen(Endpoint endpoint, int backlog, Set<PosixFilePermission> mode) throws IOException {
        Path path = endpoint.path();
        clearStale(endpoint, path);
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.bind(UnixDomainSocketAddress.of(path), backlog);
        } catch (IOException | RuntimeException e) {
            Tcp.closeQuietly(channel);
            throw bindFailed(endpoint, e);
        }
        return owned(endpoint, channel, mode);
    }

    /**
     * Binds what the JDK cannot, through system calls: a name in the abstract namespace
     * ({@code unix:@name}; no file, no mode: any process that can see the name may connect), or
     * a {@code unix+seqpacket:} socket (a file as for {@code unix:}, or an abstract name).
     *
     * @throws IOException saying why, with the name and what to do
     */
    public static Bound listenNative(Endpoint endpoint, int backlog, Set<PosixFilePermission> mode) throws IOException {
        int type = socketType(endpoint);
        Path path = endpoint.path();
        if (!endpoint.isAbstract()) {
            clearStale(endpoint, path);
        }
        ServerSocketChannel channel;
        try {
            channel = UnixSockets.listen(type, path.toString(), backlog);
        } catch (SystemCallException e) {
            throw nativeFailed("cannot listen on ", endpoint, e);
        }
        if (endpoint.isAbstract()) {
            return new Bound(channel, null); // no file to own: the name goes when the socket closes
        }
        return owned(endpoint, channel, mode);
    }

    /**
     * Connects to what {@link #listenNative} binds: an abstract name, or a seqpacket socket.
     * Unix connects do not wait but on a full backlog, so there is no timeout here.
     *
     * @throws IOException saying why, with the name: nothing listens there, a server of the
     *     other kind, permission denied
     */
    public static SocketChannel connectNative(Endpoint endpoint) throws IOException {
        try {
            return UnixSockets.connect(socketType(endpoint), endpoint.path().toString());
        } catch (SystemCallException e) {
            throw nativeFailed("cannot connect to ", endpoint, e);
        }
    }

    private static int socketType(Endpoint endpoint) {
        return switch (endpoint.kind()) {
            case UNIX_SEQPACKET -> Libc.SOCK_SEQPACKET;
            case UNIXGRAM -> Libc.SOCK_DGRAM;
            default -> Libc.SOCK_STREAM;
        };
    }

    static IOException nativeFailed(String what, Endpoint endpoint, SystemCallException e) {
        String name = endpoint.path().toString();
        String advice = switch (e.errno()) {
            case SystemCallException.ENOENT -> what.startsWith("cannot listen")
                    ? "directory " + endpoint.path().toAbsolutePath().getParent() + " does not exist (create it first)"
                    : "no socket file " + name + " — is a server running? (sockit server " + endpoint + ")";
            case SystemCallException.ECONNREFUSED -> endpoint.isAbstract()
                    ? "nothing listens on the abstract name " + name + " as a " + switch (endpoint.kind()) {
                        case UNIX_SEQPACKET -> "seqpacket";
                        case UNIXGRAM -> "datagram";
                        default -> "stream";
                    } + " socket (each kind has names of its own) — is a server running?"
                            + " (sockit server " + endpoint + ")"
                    : "connection refused: nothing listens on " + name + " (left by a server that stopped?)";
            case SystemCallException.EPROTOTYPE -> "the server at " + name + " is of another kind: connect with the kind it"
                    + " listens with (unix: for a stream, unix+seqpacket: for messages, unixgram: for datagrams)";
            case SystemCallException.EADDRINUSE -> endpoint.isAbstract()
                    ? "another server holds the abstract name " + name + " (stop it first, or choose another name)"
                    : "another server has just taken " + name + " (stop it first, or choose another path)";
            case SystemCallException.EACCES -> "permission denied on " + name
                    + " (the socket file's mode decides who may connect; see the server's --socket-mode)";
            case SystemCallException.EINVAL -> "the name is too long for a Unix socket (107 bytes on Linux)";
            default -> e.getMessage();
        };
        return new IOException(what + endpoint + ": " + advice, e);
    }

    /** Gives a just-bound socket file its mode, and returns it as owned (known by its file key). */
    static SocketFile own(Endpoint endpoint, Set<PosixFilePermission> mode) throws IOException {
        Path path = endpoint.path();
        try {
            Files.setPosixFilePermissions(path, mode);
            return new SocketFile(path, Files.readAttributes(path, BasicFileAttributes.class, NOFOLLOW_LINKS).fileKey());
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(path);
            throw new IOException("cannot listen on " + endpoint + ": cannot give " + path + " the mode "
                    + formatMode(mode) + ": " + e.getMessage(), e);
        }
    }

    // The socket file just bound: given its mode, known by its file key, cleared of whoever
    // connected before the mode was set.
    private static Bound owned(Endpoint endpoint, ServerSocketChannel channel, Set<PosixFilePermission> mode)
            throws IOException {
        SocketFile file;
        try {
            file = own(endpoint, mode);
        } catch (IOException | RuntimeException e) {
            Tcp.closeQuietly(channel);
            throw e;
        }
        try {
            closeEarlyArrivals(channel);
            return new Bound(channel, file);
        } catch (IOException | RuntimeException e) {
            Tcp.closeQuietly(channel);
            file.remove();
            throw new IOException("cannot listen on " + endpoint + ": " + e.getMessage(), e);
        }
    }

    /**
     * Connects to the socket file, within {@code timeout}.
     *
     * @throws IOException saying why, with the path: no such file (is a server running?), a
     *     stale file, permission denied
     */
    public static SocketChannel connect(Endpoint endpoint, Duration timeout) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        // A Unix connect blocks only while the server's backlog is full; the deadline ends that.
        try {
            Tcp.connectWithin(channel, UnixDomainSocketAddress.of(endpoint.path()), timeout);
            return channel;
        } catch (AsynchronousCloseException e) {
            throw connectFailed(endpoint, new SocketTimeoutException("no answer within " + Durations.format(timeout)
                    + " (the server is not accepting: is it overloaded, or stopped in a debugger?)"));
        } catch (IOException | RuntimeException e) {
            throw connectFailed(endpoint, e);
        }
    }

    /**
     * Reads a socket file mode as people write it: octal ({@code 600}, {@code 0660}) or as
     * {@code ls -l} shows it ({@code rw-rw----}).
     *
     * @throws IllegalArgumentException naming the text and how to write a mode, also when the
     *     mode would let nobody connect (connecting needs write permission)
     */
    public static Set<PosixFilePermission> parseMode(String text) {
        String s = text == null ? "" : text.strip();
        Set<PosixFilePermission> mode;
        if (s.matches("0?[0-7]{3}")) {
            int bits = Integer.parseInt(s, 8);
            PosixFilePermission[] all = PosixFilePermission.values(); // OWNER_READ .. OTHERS_EXECUTE
            mode = EnumSet.noneOf(PosixFilePermission.class);
            for (int i = 0; i < 9; i++) {
                if ((bits & (0400 >> i)) != 0) {
                    mode.add(all[i]);
                }
            }
        } else if (s.matches("[r-][w-][x-][r-][w-][x-][r-][w-][x-]")) {
            mode = PosixFilePermissions.fromString(s);
        } else {
            throw new IllegalArgumentException("socket mode \"" + text + "\" is not a file mode; write it in octal,"
                    + " like 600 (owner only) or 660 (owner and group)");
        }
        if (!mode.contains(PosixFilePermission.OWNER_WRITE) && !mode.contains(PosixFilePermission.GROUP_WRITE)
                && !mode.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new IllegalArgumentException("socket mode " + formatMode(mode) + " lets nobody connect (connecting to"
                    + " a socket file needs write permission); try 600 (owner only) or 660 (owner and group)");
        }
        return Set.copyOf(mode);
    }

    /** The mode in octal, as {@code chmod} takes it: {@code 0600}. */
    public static String formatMode(Set<PosixFilePermission> mode) {
        int bits = 0;
        for (PosixFilePermission p : mode) {
            bits |= 0400 >> p.ordinal();
        }
        return String.format(Locale.ROOT, "%04o", bits);
    }

    /** Makes room at {@code path}: nothing there, or a socket file nobody listens on any more. */
    static void clearStale(Endpoint endpoint, Path path) throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class, NOFOLLOW_LINKS);
        } catch (NoSuchFileException absent) {
            return;
        }
        String type = type(path, attributes);
        if (!type.equals("a socket")) {
            throw new IOException("cannot listen on " + endpoint + ": " + path + " exists and is " + type
                    + ", not a socket; sockit replaces only stale socket files (choose another path, or remove "
                    + path + " yourself if it is not needed)");
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ScheduledFuture<?> deadline = Timer.after(PROBE_TIMEOUT, () -> Tcp.closeQuietly(probe));
            try {
                probe.connect(UnixDomainSocketAddress.of(path));
            } finally {
                deadline.cancel(false);
            }
        } catch (ConnectException refused) {
            // Nobody listens: a server died without removing its file. Replace it.
            Files.deleteIfExists(path);
            return;
        } catch (AsynchronousCloseException busy) {
            // The connect waited on a full backlog: a server is there, just slow to accept.
        } catch (IOException e) {
            if (lower(e).contains("wrong type")) {
                throw new IOException("cannot listen on " + endpoint + ": a server of another kind (a stream or a seqpacket"
                        + " socket) is listening at " + path + " (stop it first, or choose another path)", e);
            }
            throw new IOException("cannot listen on " + endpoint + ": " + path + " is a socket that sockit cannot probe ("
                    + lower(e) + "), so a server may be using it (choose another path, or remove " + path
                    + " if you know it is stale)", e);
        }
        throw new IOException("cannot listen on " + endpoint + ": another server is listening there (stop it first, or"
                + " choose another path)");
    }

    // Until its mode was set, the file had whatever the umask allowed, and a peer the mode is
    // meant to keep out could have connected in that moment. Close any such connection: the
    // accept loop has not started, so whatever is queued arrived before the mode was set.
    private static void closeEarlyArrivals(ServerSocketChannel channel) throws IOException {
        channel.configureBlocking(false);
        for (SocketChannel early; (early = channel.accept()) != null; ) {
            Tcp.closeQuietly(early);
        }
        channel.configureBlocking(true);
    }

    private static String type(Path path, BasicFileAttributes attributes) {
        if (attributes.isSymbolicLink()) {
            return "a symbolic link";
        }
        if (attributes.isDirectory()) {
            return "a directory";
        }
        if (attributes.isRegularFile()) {
            return "a regular file";
        }
        try {
            int mode = (Integer) Files.getAttribute(path, "unix:mode", NOFOLLOW_LINKS);
            return switch (mode & S_IFMT) {
                case S_IFSOCK -> "a socket";
                case 0010000 -> "a named pipe";
                case 0020000, 0060000 -> "a device";
                default -> "a special file";
            };
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            // Without the "unix" attribute view, a socket is the likeliest "other" file; the
            // probe that follows still refuses anything that answers.
            return "a socket";
        }
    }

    private static IOException bindFailed(Endpoint endpoint, Exception e) {
        Path path = endpoint.path();
        Path parent = path.toAbsolutePath().getParent();
        String why = lower(e);
        String advice;
        if (why.contains("too long")) {
            advice = "the path is " + path.toString().getBytes(UTF_8).length + " bytes, longer than the system allows"
                    + " for a socket (108 on Linux, 104 on macOS); choose a shorter path";
        } else if (why.contains("no such file")) {
            advice = "directory " + parent + " does not exist (create it first)";
        } else if (why.contains("permission denied") || why.contains("access denied")) {
            advice = "permission denied: cannot create a file in " + parent + " (choose a directory you may write to)";
        } else if (why.contains("already in use")) {
            advice = "another server has just taken " + path + " (stop it first, or choose another path)";
        } else {
            advice = why;
        }
        return new IOException("cannot listen on " + endpoint + ": " + advice, e);
    }

    private static IOException connectFailed(Endpoint endpoint, Exception cause) {
        Path path = endpoint.path();
        String why = lower(cause);
        String advice;
        if (why.contains("no such file")) {
            advice = "no socket file " + path + " — is a server running? (sockit server " + endpoint + ")";
        } else if (cause instanceof ConnectException && why.contains("refused")) {
            advice = isSocket(path)
                    ? "connection refused: " + path + " exists but no server listens on it (left by a server that"
                            + " stopped?) — start one: sockit server " + endpoint
                    : path + " is not a socket (is the path right?)";
        } else if (why.contains("permission denied")) {
            advice = "permission denied on " + path + " (the server's socket mode decides who may connect; see its"
                    + " --socket-mode)";
        } else if (why.contains("too long")) {
            advice = "the path is longer than the system allows for a socket (108 bytes on Linux)";
        } else if (why.contains("wrong type")) {
            advice = "the server at " + path + " is of another kind: connect with the kind it listens with"
                    + " (unix: for a stream, unix+seqpacket: for messages, unixgram: for datagrams)";
        } else {
            advice = why;
        }
        ConnectException failure = new ConnectException("cannot connect to " + endpoint + ": " + advice);
        failure.initCause(cause);
        return failure;
    }

    private static boolean isSocket(Path path) {
        try {
            return type(path, Files.readAttributes(path, BasicFileAttributes.class, NOFOLLOW_LINKS)).equals("a socket");
        } catch (IOException e) {
            return false;
        }
    }

    private static String lower(Exception e) {
        String message = e.getMessage();
        return message == null ? e.getClass().getSimpleName() : message.toLowerCase(Locale.ROOT);
    }
}
