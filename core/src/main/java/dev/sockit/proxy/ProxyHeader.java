package dev.sockit.proxy;

import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * What a PROXY protocol header says: who the real client is ({@link #source()}), which address
 * it connected to ({@link #destination()}), and, in version 2, the extra facts the proxy chose
 * to add ({@link #tlvs()}: the TLS server name the client asked for, a unique id, ...).
 *
 * <p>When the header carries no usable addresses — a version 2 {@code LOCAL} command (a
 * proxy's health check), a version 1 {@code UNKNOWN} line, an unspecified family — source and
 * destination are null, and a server uses the socket's own addresses, as the specification
 * requires: a LOCAL header's address block is skipped, never trusted.
 *
 * <pre>{@code
 * ProxyHeader header = ProxyHeader.proxied(client, server);
 * channel.write(ByteBuffer.wrap(header.v2Bytes()));   // what HAProxy's send-proxy-v2 sends
 * }</pre>
 *
 * @param version     1 (text) or 2 (binary)
 * @param command     {@link Command#PROXY} for a relayed connection, {@link Command#LOCAL} for
 *                    one the proxy made itself (version 2 only)
 * @param family      the address family the header announced
 * @param transport   the socket kind the header announced
 * @param source      the real client's address, or null when the header carries none to use
 * @param destination the address the client connected to, or null with {@code source}
 * @param tlvs        the type-length-value fields after the addresses (version 2), in order
 */
public record ProxyHeader(int version, Command command, Family family, Transport transport, SocketAddress source,
        SocketAddress destination, List<Tlv> tlvs) {

    /** The 12 bytes that begin every version 2 header; the fifth is a zero byte. */
    static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    /** The bytes of a Unix address in a version 2 header: a path, NUL padded. */
    static final int UNIX_ADDRESS_BYTES = 108;

    /** Who made the connection. */
    public enum Command {
        /** The proxy itself, on purpose (a health check): the socket's addresses are the real ones. */
        LOCAL,
        /** The proxy, on behalf of the client the header names. */
        PROXY
    }

    /** The address family the header announced. */
    public enum Family {
        /** None announced: a LOCAL header, or version 1's {@code UNKNOWN}; no addresses. */
        UNSPEC,
        /** IPv4 ({@code TCP4} in version 1). */
        INET,
        /** IPv6 ({@code TCP6} in version 1). */
        INET6,
        /** Unix domain socket paths (version 2 only). */
        UNIX
    }

    /** The socket kind the header announced. */
    public enum Transport {
        /** None announced (a LOCAL or {@code UNKNOWN} header). */
        UNSPEC,
        /** A stream: TCP, or a Unix stream socket. */
        STREAM,
        /** Datagrams: UDP, or a Unix datagram socket. */
        DGRAM
    }

    /**
     * One type-length-value field of a version 2 header. The registered types are constants
     * here; 0xE0 to 0xEF are for applications (cloud load balancers put their ids there).
     *
     * @param type  0 to 255
     * @param value the value's bytes (a copy is kept and handed out)
     */
    public record Tlv(int type, byte[] value) {
        /** Application-Layer Protocol Negotiation: the ALPN the client sent, e.g. {@code h2}. */
        public static final int ALPN = 0x01;
        /** The host name the client asked for (the TLS server name, SNI), UTF-8. */
        public static final int AUTHORITY = 0x02;
        /** A CRC32c of the whole header; checked by the decoder when present. */
        public static final int CRC32C = 0x03;
        /** Padding, to be ignored. */
        public static final int NOOP = 0x04;
        /** An opaque id of up to 128 bytes the proxy gave the connection. */
        public static final int UNIQUE_ID = 0x05;
        /** Facts of the client's TLS session, in sub-fields (see the specification). */
        public static final int SSL = 0x20;
        /** The network namespace's name, US-ASCII. */
        public static final int NETNS = 0x30;

        /**
         * Checks the bounds and copies {@code value}, so that the field cannot change after.
         *
         * @throws IllegalArgumentException for a type outside 0 to 255 or a value over 65535 bytes
         */
        public Tlv {
            if (type < 0 || type > 0xFF) {
                throw new IllegalArgumentException("a TLV type is 0 to 255, not " + type);
            }
            if (value.length > 0xFFFF) {
                throw new IllegalArgumentException("a TLV value holds at most 65535 bytes, not " + value.length);
            }
            value = value.clone();
        }

        /** {@return a copy of the value's bytes} */
        @Override
        public byte[] value() {
            return value.clone();
        }

        /** {@return the value read as UTF-8 text} For AUTHORITY, the SSL version and cipher, NETNS. */
        public String text() {
            return new String(value, StandardCharsets.UTF_8);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Tlv t && t.type == type && Arrays.equals(t.value, value);
        }

        @Override
        public int hashCode() {
            return 31 * type + Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return String.format("TLV 0x%02x (%d bytes: %s)", type, value.length, HexFormat.of().formatHex(value));
        }
    }

    /**
     * Checks the parts against each other and copies {@code tlvs}.
     *
     * @throws IllegalArgumentException for a version other than 1 or 2, or only one of the two addresses
     * @throws NullPointerException     for a null command, family, transport or {@code tlvs}
     */
    public ProxyHeader {
        if (version != 1 && version != 2) {
            throw new IllegalArgumentException("a PROXY protocol version is 1 or 2, not " + version);
        }
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(transport, "transport");
        if ((source == null) != (destination == null)) {
            throw new IllegalArgumentException("a header carries both addresses or neither: " + source + ", " + destination);
        }
        tlvs = List.copyOf(tlvs);
    }

    /**
     * The header a proxy sends for a client at {@code source} that connected to
     * {@code destination}; both IPv4 or both IPv6 (an IPv4-mapped IPv6 address is IPv4), or
     * both Unix. Write it with {@link #v1Bytes()} or {@link #v2Bytes()}.
     *
     * @param source      the client's address, an {@link java.net.InetSocketAddress} or a
     *                    {@link java.net.UnixDomainSocketAddress}
     * @param destination the address the client connected to, of the same family
     * @return the header, without TLVs
     * @throws IllegalArgumentException when the two are of different families
     */
    public static ProxyHeader proxied(SocketAddress source, SocketAddress destination) {
        Family family = familyOf(source);
        if (familyOf(destination) != family) {
            throw new IllegalArgumentException("source " + source + " and destination " + destination
                    + " are of different address families; a PROXY header names two of one family");
        }
        return new ProxyHeader(2, Command.PROXY, family, Transport.STREAM, source, destination, List.of());
    }

    /** {@return a version 2 LOCAL header}: the proxy's own connection, such as a health check. */
    public static ProxyHeader local() {
        return new ProxyHeader(2, Command.LOCAL, Family.UNSPEC, Transport.UNSPEC, null, null, List.of());
    }

    /**
     * {@return this header with {@code tlvs} after its addresses} Only version 2 carries them.
     *
     * @param tlvs the fields, in the order to write them; they replace any the header had
     */
    public ProxyHeader withTlvs(List<Tlv> tlvs) {
        return new ProxyHeader(version, command, family, transport, source, destination, tlvs);
    }

    /** {@return true when the header names the client}, so the server should use its addresses. */
    public boolean hasAddresses() {
        return source != null;
    }

    /**
     * {@return the first TLV of {@code type}, if the header has one}
     *
     * @param type 0 to 255, e.g. {@link Tlv#AUTHORITY}
     */
    public Optional<Tlv> tlv(int type) {
        return tlvs.stream().filter(t -> t.type() == type).findFirst();
    }

    /**
     * The header as a version 1 line, e.g. {@code PROXY TCP4 203.0.113.7 192.0.2.1 5555 8001\r\n};
     * {@code PROXY UNKNOWN\r\n} when it names no IP addresses (LOCAL, Unix). TLVs are left out:
     * version 1 cannot carry them.
     *
     * @return the line's US-ASCII bytes
     */
    public byte[] v1Bytes() {
        if (source instanceof InetSocketAddress from && destination instanceof InetSocketAddress to
                && command == Command.PROXY) {
            String protocol = family == Family.INET ? "TCP4" : "TCP6";
            String line = "PROXY " + protocol + " " + text(from.getAddress()) + " " + text(to.getAddress()) + " "
                    + from.getPort() + " " + to.getPort() + "\r\n";
            return line.getBytes(StandardCharsets.US_ASCII);
        }
        return "PROXY UNKNOWN\r\n".getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The header in the binary version 2 form, its TLVs included; a {@link Tlv#CRC32C} among
     * them is filled with the checksum of the whole header.
     *
     * @return the header's bytes
     */
    public byte[] v2Bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        out.writeBytes(V2_SIGNATURE);
        out.write(0x20 | (command == Command.PROXY ? 1 : 0));
        ByteArrayOutputStream body = new ByteArrayOutputStream(64);
        if (command == Command.PROXY && source != null) {
            out.write(family.ordinal() << 4 | transport.ordinal());
            if (source instanceof InetSocketAddress from && destination instanceof InetSocketAddress to) {
                body.writeBytes(bytes(from.getAddress(), family));
                body.writeBytes(bytes(to.getAddress(), family));
                body.write(from.getPort() >> 8);
                body.write(from.getPort());
                body.write(to.getPort() >> 8);
                body.write(to.getPort());
            } else {
                body.writeBytes(unixBytes((UnixDomainSocketAddress) source));
                body.writeBytes(unixBytes((UnixDomainSocketAddress) destination));
            }
        } else {
            out.write(command == Command.PROXY ? 0x00 : family.ordinal() << 4 | transport.ordinal());
        }
        int crcAt = -1;
        for (Tlv tlv : tlvs) {
            body.write(tlv.type());
            body.write(tlv.value.length >> 8);
            body.write(tlv.value.length);
            if (tlv.type() == Tlv.CRC32C && tlv.value.length == 4 && crcAt < 0) {
                crcAt = 16 + body.size();
                body.writeBytes(new byte[4]);
            } else {
                body.writeBytes(tlv.value);
            }
        }
        if (body.size() > 0xFFFF) {
            throw new IllegalArgumentException("a version 2 header holds at most 65535 bytes after its first 16, and"
                    + " these TLVs make " + body.size());
        }
        out.write(body.size() >> 8);
        out.write(body.size());
        out.writeBytes(body.toByteArray());
        byte[] header = out.toByteArray();
        if (crcAt >= 0) {
            CRC32C crc = new CRC32C();
            crc.update(header);
            int sum = (int) crc.getValue();
            header[crcAt] = (byte) (sum >>> 24);
            header[crcAt + 1] = (byte) (sum >>> 16);
            header[crcAt + 2] = (byte) (sum >>> 8);
            header[crcAt + 3] = (byte) sum;
        }
        return header;
    }

    private static Family familyOf(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            if (inet.getAddress() == null) {
                throw new IllegalArgumentException(address + " is not resolved; a PROXY header carries addresses");
            }
            return inet.getAddress() instanceof Inet4Address ? Family.INET : Family.INET6;
        }
        if (address instanceof UnixDomainSocketAddress) {
            return Family.UNIX;
        }
        throw new IllegalArgumentException("a PROXY header carries IP or Unix addresses, not " + address);
    }

    private static String text(InetAddress address) {
        // getHostAddress never looks a name up; a scope (%eth0) has no place in the header.
        String digits = address.getHostAddress();
        int scope = digits.indexOf('%');
        return scope < 0 ? digits : digits.substring(0, scope);
    }

    private static byte[] bytes(InetAddress address, Family family) {
        byte[] raw = address.getAddress();
        if (family == Family.INET6 && raw.length == 4) {
            // Not reached through proxied(), which calls such an address IPv4; kept for completeness.
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xFF;
            mapped[11] = (byte) 0xFF;
            System.arraycopy(raw, 0, mapped, 12, 4);
            return mapped;
        }
        return raw;
    }

    private static byte[] unixBytes(UnixDomainSocketAddress address) {
        byte[] path = address.getPath().toString().getBytes(StandardCharsets.UTF_8);
        if (path.length >= UNIX_ADDRESS_BYTES) {
            throw new IllegalArgumentException("a Unix socket path in a PROXY header is shorter than "
                    + UNIX_ADDRESS_BYTES + " bytes, and " + address.getPath() + " has " + path.length);
        }
        return Arrays.copyOf(path, UNIX_ADDRESS_BYTES);
    }

    @Override
    public String toString() {
        return "PROXY v" + version + " " + command + (source == null ? "" : " from " + source + " to " + destination)
                + (tlvs.isEmpty() ? "" : " " + tlvs);
    }
}
