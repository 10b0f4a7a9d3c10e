package dev.sockit.proxy;

import dev.sockit.proxy.ProxyHeader.Command;
import dev.sockit.proxy.ProxyHeader.Family;
import dev.sockit.proxy.ProxyHeader.Tlv;
import dev.sockit.proxy.ProxyHeader.Transport;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Reads one PROXY protocol header from the bytes a connection begins with, following
 * HAProxy's doc/proxy-protocol.txt. Pure: no sockets, so it is tested fed whole, cut at every
 * byte, and with the client's data behind it.
 *
 * <pre>{@code
 * ProxyHeaderDecoder decoder = new ProxyHeaderDecoder(ProxyProtocol.Version.ANY, 4096);
 * ProxyHeader header;
 * while ((header = decoder.decode(buffer)) == null) { read more into buffer }
 * // buffer now begins with the client's first byte
 * }</pre>
 *
 * <p>The rules it holds to, each a bug found in some other implementation:
 * <ul>
 *   <li>a version 1 line ends with CRLF within 107 bytes; a bare CR or LF is refused;</li>
 *   <li>a version 2 header is exactly 16 bytes plus its length field, whatever the command:
 *       a LOCAL header with addresses or TLVs after it is skipped whole, never read short;</li>
 *   <li>a LOCAL header's addresses are not read at all: the socket's own are the real ones;</li>
 *   <li>TLVs end where the length says, not where the read ended: bytes of the client's
 *       that came in the same read are left in the buffer, untouched;</li>
 *   <li>anything that does not match exactly is refused, with what was found.</li>
 * </ul>
 */
public final class ProxyHeaderDecoder {

    /** The longest version 1 line, CRLF included: {@code PROXY UNKNOWN} with two full IPv6 addresses. */
    public static final int MAX_V1_BYTES = 107;
    private static final byte[] V1_PREFIX = "PROXY ".getBytes(StandardCharsets.US_ASCII);
    private static final int V2_FIXED_BYTES = 16;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final ProxyProtocol.Version accepted;
    private final int maxHeaderBytes;

    /**
     * A decoder of headers; it keeps no state between calls, so any thread may use it.
     *
     * @param accepted       which versions to read
     * @param maxHeaderBytes the most bytes a version 2 header may hold, its first 16 included
     *                       (at least 16 + 216, the size of two Unix addresses)
     */
    public ProxyHeaderDecoder(ProxyProtocol.Version accepted, int maxHeaderBytes) {
        if (maxHeaderBytes < V2_FIXED_BYTES + 2 * ProxyHeader.UNIX_ADDRESS_BYTES) {
            throw new IllegalArgumentException("maxHeaderBytes must hold a header with two Unix addresses ("
                    + (V2_FIXED_BYTES + 2 * ProxyHeader.UNIX_ADDRESS_BYTES) + " bytes), not " + maxHeaderBytes);
        }
        this.accepted = accepted;
        this.maxHeaderBytes = maxHeaderBytes;
    }

    /**
     * Reads a header from the start of {@code in} (read mode). Returns null when the bytes so
     * far are a correct beginning but not yet a whole header: {@code in} is left as it was,
     * to be called again with more. Returns the header once it is whole, with {@code in}
     * positioned at the first byte after it (the client's data, if any came along).
     *
     * @param in the bytes received so far, in read mode
     * @return the header, or {@code null} when more bytes are needed
     * @throws ProxyHeaderException as soon as the bytes cannot begin a valid header of an
     *     accepted version, saying what was found; {@code in} is then left as it was
     */
    public ProxyHeader decode(ByteBuffer in) throws ProxyHeaderException {
        if (!in.hasRemaining()) {
            return null;
        }
        if (startsWith(in, ProxyHeader.V2_SIGNATURE)) {
            if (accepted == ProxyProtocol.Version.V1) {
                throw new ProxyHeaderException("a version 2 PROXY header came where only version 1 is accepted"
                        + " (accept it with --proxy-protocol v2 or any, or send v1: HAProxy send-proxy)");
            }
            return decodeV2(in);
        }
        if (startsWith(in, V1_PREFIX)) {
            if (accepted == ProxyProtocol.Version.V2) {
                throw new ProxyHeaderException("a version 1 PROXY header came where only version 2 is accepted"
                        + " (accept it with --proxy-protocol v1 or any, or send v2: HAProxy send-proxy-v2)");
            }
            return decodeV1(in);
        }
        throw new ProxyHeaderException("no PROXY protocol header: the connection began with \"" + printable(in, 24)
                + "\" (a header begins with \"PROXY \" or the version 2 signature; is the proxy configured to"
                + " send one, e.g. HAProxy send-proxy-v2?)");
    }

    /** True when {@code in} begins with {@code prefix}, or with a beginning of it as long as {@code in}. */
    private static boolean startsWith(ByteBuffer in, byte[] prefix) {
        int n = Math.min(in.remaining(), prefix.length);
        for (int i = 0; i < n; i++) {
            if (in.get(in.position() + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static ProxyHeader decodeV1(ByteBuffer in) throws ProxyHeaderException {
        int start = in.position();
        int available = in.remaining();
        int end = -1;
        for (int i = 0; i < Math.min(available, MAX_V1_BYTES); i++) {
            byte b = in.get(start + i);
            if (b == '\n') {
                throw new ProxyHeaderException("PROXY v1 line \"" + printableStart(in, i) + "\" ends with a bare LF at byte "
                        + (i + 1) + "; it must end with CRLF");
            }
            if (b == '\r') {
                if (i + 1 >= MAX_V1_BYTES) {
                    break; // its LF would be byte 108
                }
                if (i + 1 == available) {
                    return null; // the LF may still come
                }
                if (in.get(start + i + 1) != '\n') {
                    throw new ProxyHeaderException("PROXY v1 line \"" + printableStart(in, i) + "\" has a CR not followed"
                            + " by LF at byte " + (i + 1) + "; it must end with CRLF");
                }
                end = i;
                break;
            }
        }
        if (end < 0) {
            if (available < MAX_V1_BYTES) {
                return null;
            }
            throw new ProxyHeaderException("PROXY v1 line \"" + printable(in, MAX_V1_BYTES) + "\" has no CRLF within "
                    + MAX_V1_BYTES + " bytes, the longest a valid line has");
        }
        byte[] bytes = new byte[end];
        in.get(start, bytes);
        String line = new String(bytes, StandardCharsets.ISO_8859_1);
        ProxyHeader header = parseV1(line);
        in.position(start + end + 2);
        return header;
    }

    private static ProxyHeader parseV1(String line) throws ProxyHeaderException {
        String[] fields = line.split(" ", -1);
        String protocol = fields[1];
        if (protocol.equals("UNKNOWN")) {
            // The sender could not fill the line: whatever follows up to CRLF is ignored, and the
            // socket's own addresses are used.
            return new ProxyHeader(1, Command.PROXY, Family.UNSPEC, Transport.UNSPEC, null, null, List.of());
        }
        boolean v4 = protocol.equals("TCP4");
        if (!v4 && !protocol.equals("TCP6")) {
            throw new ProxyHeaderException("PROXY v1 line \"" + printable(line) + "\" names protocol \""
                    + printable(protocol) + "\"; it must be TCP4, TCP6 or UNKNOWN, after exactly one space");
        }
        if (fields.length != 6) {
            throw new ProxyHeaderException("PROXY v1 line \"" + printable(line) + "\" has " + (fields.length - 1)
                    + " fields after PROXY, separated by single spaces; it needs 5: " + protocol
                    + " SOURCE DESTINATION SOURCE-PORT DESTINATION-PORT");
        }
        InetAddress source = v4 ? ipv4(fields[2], line) : ipv6(fields[2], line);
        InetAddress destination = v4 ? ipv4(fields[3], line) : ipv6(fields[3], line);
        int sourcePort = port(fields[4], line);
        int destinationPort = port(fields[5], line);
        return new ProxyHeader(1, Command.PROXY, v4 ? Family.INET : Family.INET6, Transport.STREAM,
                new InetSocketAddress(source, sourcePort), new InetSocketAddress(destination, destinationPort), List.of());
    }

    /** Four decimal numbers 0 to 255, no leading zeros (they could be read as octal). */
    private static InetAddress ipv4(String text, String line) throws ProxyHeaderException {
        String[] parts = text.split("\\.", -1);
        byte[] bytes = new byte[4];
        boolean valid = parts.length == 4;
        for (int i = 0; valid && i < 4; i++) {
            int value = decimal(parts[i], 3);
            valid = value >= 0 && value <= 255;
            bytes[i] = (byte) value;
        }
        if (!valid) {
            throw new ProxyHeaderException("PROXY v1 line \"" + printable(line) + "\": \"" + printable(text)
                    + "\" is not an IPv4 address (four numbers 0 to 255, no leading zeros)");
        }
        return address(bytes);
    }

    /** Hex groups with at most one "::", as inet_ntop writes them (an IPv4 tail allowed). */
    private static InetAddress ipv6(String text, String line) throws ProxyHeaderException {
        boolean plausible = text.indexOf(':') >= 0 && text.length() <= 45;
        for (int i = 0; plausible && i < text.length(); i++) {
            char c = text.charAt(i);
            plausible = c == ':' || c == '.' || Character.digit(c, 16) >= 0;
        }
        if (plausible) {
            try {
                // A literal only (the characters were checked): no name is ever looked up.
                return address(Inet6Address.ofLiteral(text).getAddress());
            } catch (IllegalArgumentException notAnAddress) {
                // reported below
            }
        }
        throw new ProxyHeaderException("PROXY v1 line \"" + printable(line) + "\": \"" + printable(text)
                + "\" is not an IPv6 address (groups of hex digits with at most one ::)");
    }

    private static int port(String text, String line) throws ProxyHeaderException {
        int value = decimal(text, 5);
        if (value < 0 || value > 65535) {
            throw new ProxyHeaderException("PROXY v1 line \"" + printable(line) + "\": \"" + printable(text)
                    + "\" is not a port (a number 0 to 65535, no leading zeros)");
        }
        return value;
    }

    /** A decimal of 1 to {@code maxDigits} digits without leading zeros, or -1. */
    private static int decimal(String text, int maxDigits) {
        if (text.isEmpty() || text.length() > maxDigits || (text.length() > 1 && text.charAt(0) == '0')) {
            return -1;
        }
        int value = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private ProxyHeader decodeV2(ByteBuffer in) throws ProxyHeaderException {
        int start = in.position();
        if (in.remaining() < V2_FIXED_BYTES) {
            return null;
        }
        int versionAndCommand = in.get(start + 12) & 0xFF;
        if (versionAndCommand >> 4 != 2) {
            throw new ProxyHeaderException(String.format("PROXY v2 header has version %d (byte 13 is 0x%02x);"
                    + " only 2 exists", versionAndCommand >> 4, versionAndCommand));
        }
        int commandBits = versionAndCommand & 0x0F;
        if (commandBits > 1) {
            throw new ProxyHeaderException(String.format("PROXY v2 header has command %d (byte 13 is 0x%02x);"
                    + " only 0 (LOCAL) and 1 (PROXY) exist", commandBits, versionAndCommand));
        }
        int familyAndTransport = in.get(start + 13) & 0xFF;
        int length = in.getShort(start + 14) & 0xFFFF;
        int total = V2_FIXED_BYTES + length;
        if (total > maxHeaderBytes) {
            throw new ProxyHeaderException("PROXY v2 header of " + total + " bytes (length field " + length
                    + ") is over the cap of " + maxHeaderBytes + " bytes");
        }
        if (commandBits == 0) {
            // LOCAL: a health check or other connection of the proxy's own. Its address block is
            // ignored, family included, and skipped whole: the length, not zero, says how much.
            if (in.remaining() < total) {
                return null;
            }
            in.position(start + total);
            return new ProxyHeader(2, Command.LOCAL, Family.UNSPEC, Transport.UNSPEC, null, null, List.of());
        }
        int familyBits = familyAndTransport >> 4;
        int transportBits = familyAndTransport & 0x0F;
        if (familyBits > 3 || transportBits > 2) {
            throw new ProxyHeaderException(String.format("PROXY v2 header has family %d and transport %d (byte 14 is"
                    + " 0x%02x); families are 0 to 3 and transports 0 to 2", familyBits, transportBits, familyAndTransport));
        }
        Family family = Family.values()[familyBits];
        Transport transport = Transport.values()[transportBits];
        boolean unspecified = family == Family.UNSPEC || transport == Transport.UNSPEC;
        int addressBytes = unspecified ? 0 : switch (family) {
            case INET -> 12;
            case INET6 -> 36;
            default -> 2 * ProxyHeader.UNIX_ADDRESS_BYTES;
        };
        if (length < addressBytes) {
            throw new ProxyHeaderException("PROXY v2 header for " + family + " " + transport + " needs " + addressBytes
                    + " address bytes, and its length field says " + length);
        }
        if (in.remaining() < total) {
            return null;
        }
        if (unspecified) {
            // Nothing usable is said: the socket's own addresses stand. The block is skipped whole.
            in.position(start + total);
            return new ProxyHeader(2, Command.PROXY, family, transport, null, null, List.of());
        }
        int at = start + V2_FIXED_BYTES;
        SocketAddress source;
        SocketAddress destination;
        if (family == Family.UNIX) {
            source = unix(in, at);
            destination = unix(in, at + ProxyHeader.UNIX_ADDRESS_BYTES);
        } else {
            int size = family == Family.INET ? 4 : 16;
            byte[] from = new byte[size];
            byte[] to = new byte[size];
            in.get(at, from);
            in.get(at + size, to);
            int ports = at + 2 * size;
            source = new InetSocketAddress(address(from), in.getShort(ports) & 0xFFFF);
            destination = new InetSocketAddress(address(to), in.getShort(ports + 2) & 0xFFFF);
        }
        List<Tlv> tlvs = tlvs(in, at + addressBytes, start + total);
        checkCrc(in, start, total, at + addressBytes);
        in.position(start + total);
        return new ProxyHeader(2, Command.PROXY, family, transport, source, destination, tlvs);
    }

    /** The TLVs between {@code from} and {@code end}, which must hold whole ones only. */
    private static List<Tlv> tlvs(ByteBuffer in, int from, int end) throws ProxyHeaderException {
        List<Tlv> tlvs = new ArrayList<>();
        int at = from;
        while (at < end) {
            if (end - at < 3) {
                throw new ProxyHeaderException("PROXY v2 header ends with " + (end - at) + " byte(s) after its last"
                        + " whole TLV; a TLV has at least 3 (type and length)");
            }
            int type = in.get(at) & 0xFF;
            int length = in.getShort(at + 1) & 0xFFFF;
            if (at + 3 + length > end) {
                throw new ProxyHeaderException(String.format("PROXY v2 TLV 0x%02x says %d value bytes, and only %d are"
                        + " left in the header", type, length, end - at - 3));
            }
            byte[] value = new byte[length];
            in.get(at + 3, value);
            tlvs.add(new Tlv(type, value));
            at += 3 + length;
        }
        return tlvs;
    }

    /** Checks a CRC32C TLV, if there is one: the header's checksum with its value zeroed. */
    private static void checkCrc(ByteBuffer in, int start, int total, int tlvsFrom) throws ProxyHeaderException {
        int at = tlvsFrom;
        while (at < start + total) {
            int type = in.get(at) & 0xFF;
            int length = in.getShort(at + 1) & 0xFFFF;
            if (type == Tlv.CRC32C) {
                if (length != 4) {
                    throw new ProxyHeaderException("PROXY v2 CRC32C TLV has " + length + " value bytes; it has 4");
                }
                byte[] header = new byte[total];
                in.get(start, header);
                int valueAt = at + 3 - start;
                int sent = (header[valueAt] & 0xFF) << 24 | (header[valueAt + 1] & 0xFF) << 16
                        | (header[valueAt + 2] & 0xFF) << 8 | header[valueAt + 3] & 0xFF;
                for (int i = 0; i < 4; i++) {
                    header[valueAt + i] = 0;
                }
                CRC32C crc = new CRC32C();
                crc.update(header);
                if ((int) crc.getValue() != sent) {
                    throw new ProxyHeaderException(String.format("PROXY v2 header fails its CRC32C check: it says"
                            + " 0x%08x, its bytes give 0x%08x", sent, (int) crc.getValue()));
                }
                return;
            }
            at += 3 + length;
        }
    }

    private static UnixDomainSocketAddress unix(ByteBuffer in, int at) {
        int length = 0;
        while (length < ProxyHeader.UNIX_ADDRESS_BYTES && in.get(at + length) != 0) {
            length++;
        }
        byte[] path = new byte[length];
        in.get(at, path);
        // A path that starts with NUL (an abstract or unnamed socket) is read as no path.
        return UnixDomainSocketAddress.of(new String(path, StandardCharsets.UTF_8));
    }

    private static InetAddress address(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes); // from bytes: no name lookup
        } catch (UnknownHostException impossible) {
            throw new AssertionError(impossible);
        }
    }

    /** Up to {@code max} bytes from the buffer's position, control bytes and non-ASCII escaped. */
    private static String printable(ByteBuffer in, int max) {
        int n = Math.min(in.remaining(), max);
        byte[] bytes = new byte[n];
        in.get(in.position(), bytes);
        return printable(new String(bytes, StandardCharsets.ISO_8859_1)) + (in.remaining() > max ? "..." : "");
    }

    /** The first {@code n} bytes from the buffer's position, escaped as {@link #printable(ByteBuffer, int)} does. */
    private static String printableStart(ByteBuffer in, int n) {
        byte[] bytes = new byte[n];
        in.get(in.position(), bytes);
        return printable(new String(bytes, StandardCharsets.ISO_8859_1));
    }

    private static String printable(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\r' -> out.append("\\r");
                case '\n' -> out.append("\\n");
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20 || c > 0x7E) {
                        // By hand: String.format per byte cost a refusal of 107 control bytes 30 KB (found by fuzzing).
                        out.append("\\x").append(HEX[c >> 4 & 0xF]).append(HEX[c & 0xF]);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
