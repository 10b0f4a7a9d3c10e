package dev.sockit.transport.linux;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * An ICMP echo socket, as Linux {@code ping} opens one: first an unprivileged ICMP datagram
 * socket ({@code SOCK_DGRAM} with {@code IPPROTO_ICMP} or {@code IPPROTO_ICMPV6}), where the
 * kernel fills in the identifier and hands this socket only the replies to its own requests;
 * if the kernel refuses that (the caller's group is outside {@code net.ipv4.ping_group_range}),
 * a raw socket ({@code SOCK_RAW}), which needs root or {@code CAP_NET_RAW}, sees every ICMP
 * packet, and is filtered here by identifier and type.
 *
 * <p>Not thread-safe: one thread sends and receives. {@link #receive} waits in {@code poll(2)},
 * which holds its thread: call it from a platform thread.
 */
public final class IcmpSocket implements AutoCloseable {

    /** The two ways to open it, as {@code ping} would report them. */
    public enum Kind {
        /** {@code SOCK_DGRAM}: unprivileged, the kernel matches replies. */
        DATAGRAM,
        /** {@code SOCK_RAW}: needs root or CAP_NET_RAW. */
        RAW
    }

    private static final int ECHO_REQUEST_V4 = 8;
    private static final int ECHO_REPLY_V4 = 0;
    private static final int ECHO_REQUEST_V6 = 128;
    private static final int ECHO_REPLY_V6 = 129;
    private static final int HEADER = 8;
    private static final Path PING_GROUP_RANGE = Path.of("/proc/sys/net/ipv4/ping_group_range");

    private final int fd;
    private final Kind kind;
    private final boolean v6;
    private final InetAddress target;
    private final int identifier;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment destination;
    private final MemorySegment buffer = arena.allocate(65_536, 8);
    private final MemorySegment control = arena.allocate(256, 8);
    private final MemorySegment source = arena.allocate(Sockaddr.MAX_SIZE, 8);
    private final MemorySegment message = Libc.messageHeader(arena);

    /** What came back for one request. */
    public record Reply(int sequence, int bytes, int ttl, InetAddress from, long receivedNanos) {}

    private IcmpSocket(int fd, Kind kind, InetAddress target) {
        this.fd = fd;
        this.kind = kind;
        this.target = target;
        this.v6 = !(target instanceof Inet4Address);
        this.identifier = ThreadLocalRandom.current().nextInt(1, 0x10000);
        this.destination = Sockaddr.of(new InetSocketAddress(target, 0), arena);
    }

    /**
     * Opens an echo socket towards {@code target}: a datagram socket if the kernel allows one,
     * else a raw one.
     *
     * @throws IOException saying which kinds the kernel refused, why, and how to allow one
     * @throws UnsupportedOperationException off Linux x86_64
     */
    public static IcmpSocket open(InetAddress target) throws IOException {
        Platform.require("sockit ping");
        boolean v6 = !(target instanceof Inet4Address);
        int family = v6 ? Libc.AF_INET6 : Libc.AF_INET;
        int protocol = v6 ? Libc.IPPROTO_ICMPV6 : Libc.IPPROTO_ICMP;
        SystemCallException datagramRefused;
        try {
            return configured(Libc.socket(family, Libc.SOCK_DGRAM, protocol), Kind.DATAGRAM, target);
        } catch (SystemCallException e) {
            if (e.errno() == SystemCallException.EAFNOSUPPORT) {
                throw new IOException("cannot ping " + target.getHostAddress() + ": this machine has no "
                        + (v6 ? "IPv6" : "IPv4") + " (socket: " + SystemCallException.name(e.errno())
                        + "); ping an address of the other family", e);
            }
            if (e.errno() != SystemCallException.EACCES && e.errno() != SystemCallException.EPERM
                    && e.errno() != SystemCallException.EPROTONOSUPPORT) {
                throw new IOException("cannot open an ICMP datagram socket to ping " + target.getHostAddress() + ": "
                        + e.getMessage(), e);
            }
            datagramRefused = e;
        }
        try {
            return configured(Libc.socket(family, Libc.SOCK_RAW, protocol), Kind.RAW, target);
        } catch (SystemCallException raw) {
            IOException failure = new IOException("cannot ping " + target.getHostAddress() + ": the kernel refused an ICMP"
                    + " datagram socket (" + SystemCallException.name(datagramRefused.errno()) + ": "
                    + whyDatagramRefused() + ") and a raw socket (" + SystemCallException.name(raw.errno())
                    + ": needs root or CAP_NET_RAW); allow unprivileged ping with"
                    + " sudo sysctl -w net.ipv4.ping_group_range=\"0 2147483647\", or run as root", raw);
            failure.addSuppressed(datagramRefused);
            throw failure;
        }
    }

    private static IcmpSocket configured(int fd, Kind kind, InetAddress target) throws SystemCallException {
        try {
            // Ask for the TTL (hop limit) of each reply beside its data, as ping prints it.
            if (target instanceof Inet4Address) {
                Libc.setInt(fd, Libc.IPPROTO_IP, Libc.IP_RECVTTL, 1);
            } else {
                Libc.setInt(fd, Libc.IPPROTO_IPV6, Libc.IPV6_RECVHOPLIMIT, 1);
            }
            IcmpSocket socket = new IcmpSocket(fd, kind, target);
            socket.warmUp();
            return socket;
        } catch (SystemCallException | RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
    }

    private static String whyDatagramRefused() {
        try {
            // Files.readString stops after the first byte of this procfs file (it reports size 0
            // and answers a read at an offset with less): read it as a stream, from the start.
            String range;
            try (java.io.InputStream in = Files.newInputStream(PING_GROUP_RANGE)) {
                range = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).strip()
                        .replaceAll("\\s+", " ");
            }
            Object gid = Files.getAttribute(Path.of("/proc/self"), "unix:gid");
            return "your group " + gid + " is outside net.ipv4.ping_group_range \"" + range + "\"";
        } catch (IOException | RuntimeException e) {
            return "your group may not open ICMP sockets (net.ipv4.ping_group_range)";
        }
    }

    // The first call through a downcall handle links it, which takes tens of milliseconds: done
    // here, on calls that fail harmlessly, rather than inside the first round trip measured.
    private void warmUp() {
        try {
            Libc.sendto(-1, buffer.asSlice(0, HEADER), destination);
        } catch (SystemCallException expected) {
            // EBADF, as intended
        }
        try {
            recvmsg(-1);
        } catch (SystemCallException expected) {
            // EBADF, as intended
        }
        controlTtl();
    }

    /** How the socket was opened. */
    public Kind kind() {
        return kind;
    }

    /** The address pinged. */
    public InetAddress target() {
        return target;
    }

    /**
     * Sends one echo request with {@code payload} bytes of data after the 8-byte header.
     *
     * @param sending run just before the packet is handed to the kernel: where a round trip starts
     *
     * @throws IOException saying why the kernel refused it, e.g. no route to the host
     */
    public void send(int sequence, int payload, Runnable sending) throws IOException {
        MemorySegment packet = buffer.asSlice(0, HEADER + payload);
        packet.set(JAVA_BYTE, 0, (byte) (v6 ? ECHO_REQUEST_V6 : ECHO_REQUEST_V4));
        packet.set(JAVA_BYTE, 1, (byte) 0);
        packet.set(JAVA_SHORT_UNALIGNED, 2, (short) 0);
        packet.set(JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 4, (short) identifier);
        packet.set(JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 6, (short) sequence);
        for (int i = 0; i < payload; i++) {
            packet.set(JAVA_BYTE, HEADER + i, (byte) (i + HEADER)); // ping's pattern: 0x08, 0x09, ...
        }
        if (!v6) {
            // The kernel fills it in for ICMPv6 and for datagram sockets; a raw IPv4 socket sends what it is given.
            packet.set(JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 2, checksum(packet));
        }
        try {
            sending.run();
            Libc.sendto(fd, packet, destination);
        } catch (SystemCallException e) {
            throw new IOException("cannot send an echo request to " + target.getHostAddress() + ": " + e.getMessage()
                    + advice(e.errno()), e);
        }
    }

    /**
     * Waits until {@code deadlineNanos} ({@link System#nanoTime()}) for an echo reply to this
     * socket's requests.
     *
     * @return the reply, or null when none came in time
     */
    public Reply receive(long deadlineNanos) throws IOException {
        while (true) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            try {
                if (!Libc.pollIn(fd, (int) Math.min(Integer.MAX_VALUE, Math.max(1, (left + 999_999) / 1_000_000)))) {
                    continue;
                }
                long length = recvmsg(fd);
                long now = System.nanoTime();
                Reply reply = parse(length, now);
                if (reply != null) {
                    return reply;
                }
            } catch (SystemCallException e) {
                if (e.errno() == SystemCallException.EAGAIN) {
                    continue;
                }
                throw new IOException("cannot receive echo replies from " + target.getHostAddress() + ": "
                        + e.getMessage(), e);
            }
        }
    }

    private long recvmsg(int from) throws SystemCallException {
        return Libc.recvmsg(from, message, buffer, source, control);
    }

    private Reply parse(long length, long now) {
        int offset = 0;
        int ttl = controlTtl();
        if (kind == Kind.RAW && !v6) {
            // A raw IPv4 socket gets the IP header too: its length is in the low nibble, in words.
            int headerLength = (buffer.get(JAVA_BYTE, 0) & 0x0f) * 4;
            if (ttl < 0 && length > 8) {
                ttl = Byte.toUnsignedInt(buffer.get(JAVA_BYTE, 8));
            }
            offset = headerLength;
        }
        if (length - offset < HEADER) {
            return null;
        }
        int type = Byte.toUnsignedInt(buffer.get(JAVA_BYTE, offset));
        if (type != (v6 ? ECHO_REPLY_V6 : ECHO_REPLY_V4)) {
            return null; // our own request seen by a raw socket on loopback, or another ICMP message
        }
        int id = Short.toUnsignedInt(buffer.get(JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), offset + 4));
        if (kind == Kind.RAW && id != identifier) {
            return null; // another program's ping: a raw socket sees them all
        }
        int sequence = Short.toUnsignedInt(buffer.get(JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), offset + 6));
        int nameLength = Libc.nameLength(message);
        InetAddress from = Sockaddr.decode(source.asSlice(0, nameLength)).getAddress();
        return new Reply(sequence, (int) (length - offset), ttl, from, now);
    }

    // The TTL or hop limit from the control messages: struct cmsghdr { size_t len; int level; int type; data }.
    private int controlTtl() {
        long total = Libc.controlLength(message);
        long at = 0;
        while (at + 16 <= total) {
            long length = control.get(JAVA_LONG, at);
            int level = control.get(JAVA_INT, at + 8);
            int type = control.get(JAVA_INT, at + 12);
            if (length < 16) {
                break;
            }
            if ((level == Libc.IPPROTO_IP && type == Libc.IP_TTL)
                    || (level == Libc.IPPROTO_IPV6 && type == Libc.IPV6_HOPLIMIT)) {
                return control.get(JAVA_INT, at + 16);
            }
            at += (length + 7) & ~7L;
        }
        return -1;
    }

    private static short checksum(MemorySegment packet) {
        long sum = 0;
        long n = packet.byteSize();
        for (long i = 0; i + 1 < n; i += 2) {
            sum += Short.toUnsignedInt(packet.get(JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), i));
        }
        if ((n & 1) != 0) {
            sum += Byte.toUnsignedInt(packet.get(JAVA_BYTE, n - 1)) << 8;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (short) ~sum;
    }

    private static String advice(int errno) {
        return switch (errno) {
            case SystemCallException.ENETUNREACH -> " (no route to that network: is the address right and the network up?)";
            case SystemCallException.EHOSTUNREACH -> " (the host is unreachable)";
            case SystemCallException.EMSGSIZE -> " (the packet is too big; ping with a smaller -s)";
            case SystemCallException.EACCES -> " (a broadcast address? sockit ping pings one host)";
            default -> "";
        };
    }

    /** Closes the socket. */
    @Override
    public void close() {
        Libc.close(fd);
        arena.close();
    }
}
