package dev.sockit.transport.linux;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;

/**
 * Socket addresses as the kernel lays them out: {@code sockaddr_in} (16 bytes),
 * {@code sockaddr_in6} (28) and {@code sockaddr_un} (110), written from and read into the
 * JDK's {@link InetSocketAddress}. Ports and IPv4/IPv6 addresses are in network byte order,
 * the family in the machine's own.
 */
public final class Sockaddr {

    /** Room for any address: {@code sizeof(struct sockaddr_storage)}. */
    public static final int MAX_SIZE = 128;

    private static final int SUN_PATH_OFFSET = 2;
    private static final int SUN_PATH_SIZE = 108;

    private Sockaddr() {}

    /** {@code sockaddr_in} or {@code sockaddr_in6} for the address and port, with an IPv6 scope id kept. */
    public static MemorySegment of(InetSocketAddress address, Arena arena) {
        InetAddress ip = address.getAddress();
        if (ip == null) {
            throw new IllegalArgumentException("unresolved address " + address + "; resolve it first");
        }
        if (ip instanceof Inet4Address) {
            MemorySegment s = arena.allocate(16, 4);
            s.set(JAVA_SHORT, 0, (short) Libc.AF_INET);
            s.set(JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 2, (short) address.getPort());
            MemorySegment.copy(ip.getAddress(), 0, s, JAVA_BYTE, 4, 4);
            return s;
        }
        MemorySegment s = arena.allocate(28, 4);
        s.set(JAVA_SHORT, 0, (short) Libc.AF_INET6);
        s.set(JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 2, (short) address.getPort());
        MemorySegment.copy(ip.getAddress(), 0, s, JAVA_BYTE, 8, 16);
        s.set(JAVA_INT, 24, ((Inet6Address) ip).getScopeId());
        return s;
    }

    /** The address family of a socket address segment: {@link Libc#AF_INET}, ... */
    public static int family(MemorySegment address) {
        return address.get(JAVA_SHORT, 0);
    }

    /**
     * Reads an IPv4 or IPv6 address back.
     *
     * @throws IllegalArgumentException for another family (a Unix socket's name: see {@link #unixName})
     */
    public static InetSocketAddress decode(MemorySegment address) {
        int family = family(address);
        int port = Short.toUnsignedInt(address.get(JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 2));
        try {
            if (family == Libc.AF_INET) {
                return new InetSocketAddress(InetAddress.getByAddress(address.asSlice(4, 4).toArray(JAVA_BYTE)), port);
            }
            if (family == Libc.AF_INET6) {
                byte[] ip = address.asSlice(8, 16).toArray(JAVA_BYTE);
                int scope = address.get(JAVA_INT, 24);
                return new InetSocketAddress(scope == 0 ? InetAddress.getByAddress(ip)
                        : Inet6Address.getByAddress(null, ip, scope), port);
            }
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("malformed address from the kernel: " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("not an IP address: family " + family);
    }

    /**
     * {@code sockaddr_un} for a Unix socket name: a path, or an abstract name when
     * {@code abstractName} (no file; the name is what follows the leading NUL byte, its length
     * given by the address size, not by a terminating NUL).
     *
     * @throws IllegalArgumentException when the name does not fit in 108 bytes
     */
    public static MemorySegment unix(String name, boolean abstractName, Arena arena) {
        byte[] bytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int room = SUN_PATH_SIZE - 1; // a NUL before the name (abstract) or after it (path)
        if (bytes.length > room) {
            throw new IllegalArgumentException("the socket name is " + bytes.length + " bytes; Linux allows " + room);
        }
        int size = SUN_PATH_OFFSET + (abstractName ? 1 + bytes.length : bytes.length + 1);
        MemorySegment s = arena.allocate(size, 2);
        s.set(JAVA_SHORT, 0, (short) Libc.AF_UNIX);
        MemorySegment.copy(bytes, 0, s, JAVA_BYTE, SUN_PATH_OFFSET + (abstractName ? 1 : 0), bytes.length);
        return s;
    }

    /** A Unix socket's name as sockit writes it: the path, {@code @name} for the abstract namespace, or "" when unnamed. */
    public static String unixName(MemorySegment address) {
        if (address.byteSize() <= SUN_PATH_OFFSET) {
            return "";
        }
        byte[] path = address.asSlice(SUN_PATH_OFFSET).toArray(JAVA_BYTE);
        if (path[0] == 0) {
            return "@" + new String(path, 1, path.length - 1, java.nio.charset.StandardCharsets.UTF_8);
        }
        int end = 0;
        while (end < path.length && path[end] != 0) {
            end++;
        }
        return new String(path, 0, end, java.nio.charset.StandardCharsets.UTF_8);
    }
}
