package dev.sockit.transport.linux;

import java.io.IOException;
import java.nio.channels.NetworkChannel;
import java.time.Duration;

/** TCP socket options the JDK has no name for, set on a JDK channel's descriptor. */
public final class TcpOptions {

    private TcpOptions() {}

    /**
     * {@code TCP_USER_TIMEOUT}: how long sent data may stay unacknowledged before the kernel
     * gives up on the connection (RFC 5482); it also bounds keepalive probing. Set on a
     * listening socket, every connection it accepts inherits it.
     *
     * @param timeout from 1 ms to about 24 days
     * @throws IOException when the kernel refuses it, saying the value
     */
    public static void userTimeout(NetworkChannel channel, Duration timeout) throws IOException {
        Platform.require("TCP_USER_TIMEOUT (--user-timeout)");
        userTimeout(Descriptors.of(channel), timeout);
    }

    /** {@link #userTimeout(NetworkChannel, Duration)} on a socket known by its descriptor. */
    public static void userTimeout(int fd, Duration timeout) throws IOException {
        Platform.require("TCP_USER_TIMEOUT (--user-timeout)");
        long millis = timeout.toMillis();
        if (millis < 1 || millis > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("TCP user timeout " + timeout + " is out of range; give 1 ms to 24 days");
        }
        try {
            Libc.setInt(fd, Libc.IPPROTO_TCP, Libc.TCP_USER_TIMEOUT, (int) millis);
        } catch (SystemCallException e) {
            throw new IOException("cannot set TCP_USER_TIMEOUT to " + millis + " ms: " + e.getMessage()
                    + " (a kernel before 2.6.37 lacks it)", e);
        }
    }

    /**
     * {@code SO_RCVLOWAT}: the bytes that must wait unread before a read or a poll of the socket
     * wakes (a read that finds fewer takes them still, without waiting). Lowering it wakes a
     * reader waiting on the old mark if the bytes now suffice. 1 is the kernel's default.
     *
     * @param fd    the socket's descriptor ({@link Descriptors#of})
     * @param bytes at least 1
     * @throws SystemCallException when the kernel refuses it
     */
    public static void receiveLowWater(int fd, int bytes) throws SystemCallException {
        Libc.setInt(fd, Libc.SOL_SOCKET, Libc.SO_RCVLOWAT, bytes);
    }

    /**
     * {@code TCP_NODELAY}, and {@code SO_KEEPALIVE} when {@code keepalive}, on a listening
     * socket, which the JDK sets on connected sockets only: Linux copies both, like every
     * option of the listener's, into each socket it accepts.
     *
     * @throws IOException when the descriptor cannot be found or the kernel refuses an option
     */
    public static void noDelayAndKeepalive(NetworkChannel listener, boolean keepalive) throws IOException {
        Platform.require("socket options on a listener");
        int fd = Descriptors.of(listener);
        Libc.setInt(fd, Libc.IPPROTO_TCP, Libc.TCP_NODELAY, 1);
        if (keepalive) {
            Libc.setInt(fd, Libc.SOL_SOCKET, Libc.SO_KEEPALIVE, 1);
        }
    }

    /** The {@code TCP_USER_TIMEOUT} of a channel's socket; zero when the system decides. */
    public static Duration userTimeout(NetworkChannel channel) throws IOException {
        Platform.require("TCP_USER_TIMEOUT");
        return Duration.ofMillis(Libc.getInt(Descriptors.of(channel), Libc.IPPROTO_TCP, Libc.TCP_USER_TIMEOUT));
    }
}
