package dev.sockit.transport.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The system calls of the epoll transport, made once per message, so unlike {@link Libc} they
 * allocate nothing per call: the caller owns the segment where {@code errno} is captured, and
 * a failed call returns {@code -errno} rather than throwing. {@code read} and {@code send}
 * take heap memory directly (the call is short and never blocks: the socket is non-blocking),
 * so a heap {@code ByteBuffer} is read into without a copy.
 */
final class EpollCalls {

    static final int EPOLLIN = 0x001;
    static final int EPOLLOUT = 0x004;
    static final int EPOLLERR = 0x008;
    static final int EPOLLHUP = 0x010;
    static final int EPOLLRDHUP = 0x2000;
    static final int EPOLLET = 1 << 31;
    static final int EPOLL_CTL_ADD = 1;
    static final int EPOLL_CTL_DEL = 2;
    static final int EPOLL_CLOEXEC = 02000000;
    static final int SOCK_NONBLOCK = 04000;
    static final int SHUT_RD = 0;
    static final int SHUT_WR = 1;
    // x86_64 packs struct epoll_event { uint32_t events; uint64_t data; } into 12 bytes.
    static final int EVENT_SIZE = 12;
    private static final int FIONREAD = 0x541B;

    private static final Linker LINKER = Linker.nativeLinker();
    static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final MethodHandle READ = function("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), true);
    // send(2) rather than write(2): MSG_NOSIGNAL, so a peer gone away is EPIPE, never a SIGPIPE.
    private static final MethodHandle SEND = function("send",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), true);
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final MethodHandle ACCEPT4 = function("accept4",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT), false);
    private static final MethodHandle EPOLL_CREATE1 = function("epoll_create1", FunctionDescriptor.of(JAVA_INT, JAVA_INT),
            false);
    private static final MethodHandle EPOLL_CTL = function("epoll_ctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), false);
    private static final MethodHandle EPOLL_WAIT = function("epoll_wait",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), false);
    private static final MethodHandle SHUTDOWN = function("shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT),
            false);
    // ioctl(int, unsigned long, ...) is variadic: the third argument is passed as C passes variadic ones.
    private static final MethodHandle IOCTL = LINKER.downcallHandle(LINKER.defaultLookup().find("ioctl").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2),
            Linker.Option.captureCallState("errno"), Linker.Option.critical(true));

    private EpollCalls() {}

    /** {@code read(2)}: bytes read, 0 at end of stream, or {@code -errno}. */
    static long read(int fd, MemorySegment into, MemorySegment state) {
        try {
            return result((long) READ.invokeExact(state, fd, into, into.byteSize()), state);
        } catch (Throwable e) {
            throw unexpected("read", e);
        }
    }

    /** {@code send(2)}, as {@code write(2)} without SIGPIPE: bytes written, or {@code -errno}. */
    static long write(int fd, MemorySegment from, MemorySegment state) {
        try {
            return result((long) SEND.invokeExact(state, fd, from, from.byteSize(), MSG_NOSIGNAL), state);
        } catch (Throwable e) {
            throw unexpected("send", e);
        }
    }

    /** {@code accept4(2)} of a non-blocking socket, its peer's address into {@code name}: the descriptor, or {@code -errno}. */
    static int accept(int fd, MemorySegment name, MemorySegment nameLength, MemorySegment state) {
        try {
            nameLength.set(JAVA_INT, 0, (int) name.byteSize());
            return (int) result((int) ACCEPT4.invokeExact(state, fd, name, nameLength, SOCK_NONBLOCK | Libc.SOCK_CLOEXEC),
                    state);
        } catch (Throwable e) {
            throw unexpected("accept4", e);
        }
    }

    /** {@code epoll_create1(2)}: the new epoll's descriptor, or {@code -errno}. */
    static int epollCreate(MemorySegment state) {
        try {
            return (int) result((int) EPOLL_CREATE1.invokeExact(state, EPOLL_CLOEXEC), state);
        } catch (Throwable e) {
            throw unexpected("epoll_create1", e);
        }
    }

    /** {@code epoll_ctl(2)}, {@code event} holding one packed event (or unused for DEL): 0, or {@code -errno}. */
    static int epollCtl(int epfd, int op, int fd, MemorySegment event, MemorySegment state) {
        try {
            return (int) result((int) EPOLL_CTL.invokeExact(state, epfd, op, fd, event), state);
        } catch (Throwable e) {
            throw unexpected("epoll_ctl", e);
        }
    }

    /** {@code epoll_wait(2)}: how many events it wrote into {@code events}, or {@code -errno}. Blocks. */
    static int epollWait(int epfd, MemorySegment events, int max, int timeoutMillis, MemorySegment state) {
        try {
            return (int) result((int) EPOLL_WAIT.invokeExact(state, epfd, events, max, timeoutMillis), state);
        } catch (Throwable e) {
            throw unexpected("epoll_wait", e);
        }
    }

    /** {@code shutdown(2)}: 0, or {@code -errno}. */
    static int shutdown(int fd, int how, MemorySegment state) {
        try {
            return (int) result((int) SHUTDOWN.invokeExact(state, fd, how), state);
        } catch (Throwable e) {
            throw unexpected("shutdown", e);
        }
    }

    /** {@code ioctl(FIONREAD)}: bytes waiting unread, or {@code -errno}; {@code count} is an int of scratch. */
    static int unread(int fd, MemorySegment count, MemorySegment state) {
        try {
            long r = result((int) IOCTL.invokeExact(state, fd, (long) FIONREAD, count), state);
            return r < 0 ? (int) r : count.get(JAVA_INT, 0);
        } catch (Throwable e) {
            throw unexpected("ioctl", e);
        }
    }

    private static long result(long value, MemorySegment state) {
        return value == -1 ? -(int) ERRNO.get(state, 0L) : value;
    }

    private static MethodHandle function(String name, FunctionDescriptor descriptor, boolean heap) {
        MemorySegment address = LINKER.defaultLookup().find(name).orElseThrow(
                () -> new UnsupportedOperationException("the C library has no " + name + "()"));
        return heap
                ? LINKER.downcallHandle(address, descriptor, Linker.Option.captureCallState("errno"),
                        Linker.Option.critical(true))
                : LINKER.downcallHandle(address, descriptor, Linker.Option.captureCallState("errno"));
    }

    private static IllegalStateException unexpected(String what, Throwable e) {
        return new IllegalStateException(what + "() could not be called: " + e, e);
    }
}
