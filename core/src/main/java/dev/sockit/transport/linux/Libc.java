package dev.sockit.transport.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The C library's socket calls, bound through the Foreign Function and Memory API: the few the
 * JDK does not offer (ICMP and Unix packet sockets, socket options it does not know, sockets
 * passed in by number). Each returns what the call returns, or throws
 * {@link SystemCallException} with the {@code errno} it left; a call interrupted by a signal
 * ({@code EINTR}) is made again. Linux x86_64 only: {@link Platform#require} is checked before
 * this class is first touched.
 *
 * <p>Blocking calls here ({@link #poll}, {@link #recvmsg}) block the carrier of a virtual
 * thread: callers wait in {@code poll} with a timeout from a platform thread, or only call
 * {@code recv} once {@code poll} said that data is there.
 */
public final class Libc {

    // <sys/socket.h>, <netinet/in.h>, <netinet/tcp.h>, <poll.h>: Linux values, the same on
    // every architecture that uses the generic socket numbering (x86_64, aarch64).
    public static final int AF_UNIX = 1;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_SEQPACKET = 5;
    private static final int SOCK_CLOEXEC = 02000000; // socket() adds it to every type: no public use
    public static final int IPPROTO_IP = 0;
    public static final int IPPROTO_ICMP = 1;
    public static final int IPPROTO_TCP = 6;
    public static final int IPPROTO_IPV6 = 41;
    public static final int IPPROTO_ICMPV6 = 58;
    public static final int SOL_SOCKET = 1;
    public static final int SO_TYPE = 3;
    public static final int SO_DOMAIN = 39;
    public static final int SO_ACCEPTCONN = 30;
    public static final int SO_REUSEPORT = 15;
    public static final int TCP_USER_TIMEOUT = 18;
    public static final int TCP_NODELAY = 1;
    public static final int SO_KEEPALIVE = 9;
    public static final int SO_RCVLOWAT = 18; // at SOL_SOCKET, not IPPROTO_TCP
    public static final int IP_TTL = 2;
    public static final int IP_RECVTTL = 12;
    public static final int IPV6_HOPLIMIT = 52;
    public static final int IPV6_RECVHOPLIMIT = 51;
    public static final short POLLIN = 0x1;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;
    public static final int O_NONBLOCK = 04000;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final MethodHandle SOCKET = function("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle CLOSE = function("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle SETSOCKOPT = function("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKOPT = function("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle BIND = function("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle CONNECT = function("connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle LISTEN = function("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle GETSOCKNAME = function("getsockname",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle GETPEERNAME = function("getpeername",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SENDTO = function("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECVMSG = function("recvmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle POLL = function("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    // fcntl(int, int, ...) is variadic: the third argument is passed as C passes variadic ones.
    private static final MethodHandle FCNTL = LINKER.downcallHandle(LINKER.defaultLookup().find("fcntl").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2),
            Linker.Option.captureCallState("errno"));
    private static final MethodHandle SHUTDOWN = function("shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle DUP2 = function("dup2", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(LINKER.defaultLookup().find("strerror").orElseThrow(),
            FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private Libc() {}

    /** {@code socket(2)}: a new socket's descriptor, closed on exec. */
    public static int socket(int domain, int type, int protocol) throws SystemCallException {
        return (int) call("socket", state -> (int) SOCKET.invokeExact(state, domain, type | SOCK_CLOEXEC, protocol));
    }

    /** {@code close(2)}; never throws, and never retried: on Linux the descriptor is gone even after EINTR. */
    public static void close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            int ignored = (int) CLOSE.invokeExact(arena.allocate(CALL_STATE), fd);
        } catch (Throwable e) {
            throw new IllegalStateException("close(" + fd + ") could not be called: " + e, e);
        }
    }

    /** {@code setsockopt(2)} with an {@code int} value. */
    public static void setInt(int fd, int level, int option, int value) throws SystemCallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocateFrom(JAVA_INT, value);
            call("setsockopt", state -> (int) SETSOCKOPT.invokeExact(state, fd, level, option, v, (int) v.byteSize()));
        }
    }

    /** {@code getsockopt(2)} of an {@code int} value. */
    public static int getInt(int fd, int level, int option) throws SystemCallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(JAVA_INT);
            MemorySegment length = arena.allocateFrom(JAVA_INT, (int) v.byteSize());
            call("getsockopt", state -> (int) GETSOCKOPT.invokeExact(state, fd, level, option, v, length));
            return v.get(JAVA_INT, 0);
        }
    }

    /** {@code bind(2)} to an address made by {@link Sockaddr}. */
    public static void bind(int fd, MemorySegment address) throws SystemCallException {
        call("bind", state -> (int) BIND.invokeExact(state, fd, address, (int) address.byteSize()));
    }

    /** {@code connect(2)} to an address made by {@link Sockaddr}; blocks (a Unix socket only while the backlog is full). */
    public static void connect(int fd, MemorySegment address) throws SystemCallException {
        call("connect", state -> (int) CONNECT.invokeExact(state, fd, address, (int) address.byteSize()));
    }

    /** {@code listen(2)}. */
    public static void listen(int fd, int backlog) throws SystemCallException {
        call("listen", state -> (int) LISTEN.invokeExact(state, fd, backlog));
    }

    /** {@code getsockname(2)}: the socket's own address, as a segment {@link Sockaddr#decode} reads. */
    public static MemorySegment getsockname(int fd, Arena arena) throws SystemCallException {
        return name("getsockname", GETSOCKNAME, fd, arena);
    }

    /** {@code getpeername(2)}: the connected peer's address. */
    public static MemorySegment getpeername(int fd, Arena arena) throws SystemCallException {
        return name("getpeername", GETPEERNAME, fd, arena);
    }

    /** {@code sendto(2)}: bytes sent. */
    public static long sendto(int fd, MemorySegment data, MemorySegment address) throws SystemCallException {
        return sendto(fd, data, 0, address);
    }

    /** {@code sendto(2)} with flags ({@link #MSG_DONTWAIT}): bytes sent. */
    public static long sendto(int fd, MemorySegment data, int flags, MemorySegment address) throws SystemCallException {
        return call("sendto", state -> (long) SENDTO.invokeExact(state, fd, data, data.byteSize(), flags, address,
                (int) address.byteSize()));
    }

    /** {@code shutdown(2)} of both directions: wakes whoever waits on the socket. */
    public static void shutdown(int fd) throws SystemCallException {
        call("shutdown", state -> (int) SHUTDOWN.invokeExact(state, fd, 2 /* SHUT_RDWR */));
    }

    /** Room for a {@code struct msghdr} (x86_64: 56 bytes) and the {@code struct iovec} it points to. */
    public static MemorySegment messageHeader(Arena arena) {
        return arena.allocate(56 + 16, 8);
    }

    /**
     * {@code recvmsg(2)} into {@code data}, the sender's address into {@code name}, control
     * messages (or none, for null) into {@code control}, without waiting: bytes received. The
     * lengths the kernel wrote back are read with {@link #nameLength} and {@link #controlLength}.
     */
    public static long recvmsg(int fd, MemorySegment header, MemorySegment data, MemorySegment name,
            MemorySegment control) throws SystemCallException {
        // struct msghdr { name, namelen, iov, iovlen, control, controllen, flags }, then struct iovec { base, len }
        MemorySegment iovec = header.asSlice(56, 16);
        iovec.set(ADDRESS, 0, data);
        iovec.set(JAVA_LONG, 8, data.byteSize());
        header.asSlice(0, 56).fill((byte) 0);
        header.set(ADDRESS, 0, name);
        header.set(JAVA_INT, 8, (int) name.byteSize());
        header.set(ADDRESS, 16, iovec);
        header.set(JAVA_LONG, 24, 1L);
        if (control != null) {
            header.set(ADDRESS, 32, control);
            header.set(JAVA_LONG, 40, control.byteSize());
        }
        return recvmsg(fd, header, MSG_DONTWAIT);
    }

    /** The length of the sender's address that {@link #recvmsg(int, MemorySegment, MemorySegment, MemorySegment, MemorySegment)} wrote. */
    public static int nameLength(MemorySegment header) {
        return header.get(JAVA_INT, 8);
    }

    /** The length of the control messages it wrote. */
    public static long controlLength(MemorySegment header) {
        return header.get(JAVA_LONG, 40);
    }

    /** {@code recvmsg(2)}: bytes received; blocks unless data is there ({@link #poll} first). */
    public static long recvmsg(int fd, MemorySegment message, int flags) throws SystemCallException {
        return call("recvmsg", state -> (long) RECVMSG.invokeExact(state, fd, message, flags));
    }

    /**
     * {@code poll(2)} for one descriptor: true when it became readable within {@code timeoutMillis}.
     * The time is not restarted when a signal interrupts the wait: the caller loops on its deadline.
     */
    public static boolean pollIn(int fd, int timeoutMillis) throws SystemCallException {
        try (Arena arena = Arena.ofConfined()) {
            // struct pollfd { int fd; short events; short revents; }
            MemorySegment pollfd = arena.allocate(8, 4);
            pollfd.set(JAVA_INT, 0, fd);
            pollfd.set(JAVA_SHORT, 4, POLLIN);
            return call("poll", state -> (int) POLL.invokeExact(state, pollfd, 1L, timeoutMillis)) > 0;
        }
    }

    /** {@code dup2(2)}: makes {@code newFd} refer to what {@code oldFd} refers to. */
    public static void dup2(int oldFd, int newFd) throws SystemCallException {
        call("dup2", state -> (int) DUP2.invokeExact(state, oldFd, newFd));
    }

    /** {@code fcntl(2)} with an {@code int} argument: {@code F_GETFL} (give 0), {@code F_SETFL}. */
    public static int fcntl(int fd, int command, int argument) throws SystemCallException {
        return (int) call("fcntl", state -> (int) FCNTL.invokeExact(state, fd, command, argument));
    }

    private static MemorySegment name(String what, MethodHandle handle, int fd, Arena arena) throws SystemCallException {
        MemorySegment address = arena.allocate(Sockaddr.MAX_SIZE, 8);
        MemorySegment length = arena.allocateFrom(JAVA_INT, (int) address.byteSize());
        call(what, state -> (int) handle.invokeExact(state, fd, address, length));
        return address.asSlice(0, length.get(JAVA_INT, 0));
    }

    private static MethodHandle function(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(
                () -> new UnsupportedOperationException("the C library has no " + name + "()")),
                descriptor, Linker.Option.captureCallState("errno"));
    }

    /** One call of a downcall handle, given the segment where the JVM captures errno. */
    @FunctionalInterface
    private interface Call {
        long invoke(MemorySegment state) throws Throwable;
    }

    // Calls with errno captured right after the call (the JVM may overwrite errno before Java
    // code could read it otherwise); -1 becomes a SystemCallException, EINTR a second try.
    private static long call(String what, Call call) throws SystemCallException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            while (true) {
                long value = call.invoke(state);
                if (value != -1) {
                    return value;
                }
                int errno = (int) ERRNO.get(state, 0L);
                if (errno != SystemCallException.EINTR) {
                    throw new SystemCallException(what, errno, strerror(errno));
                }
            }
        } catch (SystemCallException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(what + "() could not be called: " + e, e);
        }
    }

    /** The C library's words for {@code errno}: "Connection reset by peer". */
    private static String strerror(int errno) {
        try {
            MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
            return text.reinterpret(256).getString(0);
        } catch (Throwable e) {
            return "errno " + errno;
        }
    }
}
