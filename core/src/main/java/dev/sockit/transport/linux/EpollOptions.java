package dev.sockit.transport.linux;

import java.io.IOException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.util.Set;
import jdk.net.ExtendedSocketOptions;

/** The socket options sockit sets on a connection, as {@code setsockopt(2)} calls on an epoll socket's descriptor. */
final class EpollOptions {

    private static final int SO_REUSEADDR = 2;
    private static final int SO_SNDBUF = 7;
    private static final int SO_RCVBUF = 8;
    private static final int SO_KEEPALIVE = 9;
    private static final int TCP_NODELAY = 1;
    private static final int TCP_KEEPIDLE = 4;
    private static final int TCP_KEEPINTVL = 5;
    private static final int TCP_KEEPCNT = 6;

    static final Set<SocketOption<?>> SUPPORTED = Set.of(StandardSocketOptions.TCP_NODELAY,
            StandardSocketOptions.SO_KEEPALIVE, StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_RCVBUF,
            StandardSocketOptions.SO_REUSEADDR, ExtendedSocketOptions.TCP_KEEPIDLE,
            ExtendedSocketOptions.TCP_KEEPINTERVAL, ExtendedSocketOptions.TCP_KEEPCOUNT);

    private EpollOptions() {}

    static <T> void set(int fd, SocketOption<T> name, T value) throws IOException {
        int[] where = where(name);
        int v = value instanceof Boolean b ? (b ? 1 : 0) : (Integer) value;
        Libc.setInt(fd, where[0], where[1], v);
    }

    @SuppressWarnings("unchecked")
    static <T> T get(int fd, SocketOption<T> name) throws IOException {
        int[] where = where(name);
        int v = Libc.getInt(fd, where[0], where[1]);
        return name.type() == Boolean.class ? (T) Boolean.valueOf(v != 0) : (T) Integer.valueOf(v);
    }

    private static int[] where(SocketOption<?> name) {
        if (name == StandardSocketOptions.TCP_NODELAY) {
            return new int[] {Libc.IPPROTO_TCP, TCP_NODELAY};
        } else if (name == StandardSocketOptions.SO_KEEPALIVE) {
            return new int[] {Libc.SOL_SOCKET, SO_KEEPALIVE};
        } else if (name == StandardSocketOptions.SO_SNDBUF) {
            return new int[] {Libc.SOL_SOCKET, SO_SNDBUF};
        } else if (name == StandardSocketOptions.SO_RCVBUF) {
            return new int[] {Libc.SOL_SOCKET, SO_RCVBUF};
        } else if (name == StandardSocketOptions.SO_REUSEADDR) {
            return new int[] {Libc.SOL_SOCKET, SO_REUSEADDR};
        } else if (name == ExtendedSocketOptions.TCP_KEEPIDLE) {
            return new int[] {Libc.IPPROTO_TCP, TCP_KEEPIDLE};
        } else if (name == ExtendedSocketOptions.TCP_KEEPINTERVAL) {
            return new int[] {Libc.IPPROTO_TCP, TCP_KEEPINTVL};
        } else if (name == ExtendedSocketOptions.TCP_KEEPCOUNT) {
            return new int[] {Libc.IPPROTO_TCP, TCP_KEEPCNT};
        }
        throw new UnsupportedOperationException("sockit's epoll channel does not set " + name + "; it sets " + SUPPORTED);
    }
}
