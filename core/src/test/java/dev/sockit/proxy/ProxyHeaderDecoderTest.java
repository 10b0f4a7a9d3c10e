package dev.sockit.proxy;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sockit.proxy.ProxyHeader.Command;
import dev.sockit.proxy.ProxyHeader.Family;
import dev.sockit.proxy.ProxyHeader.Tlv;
import dev.sockit.proxy.ProxyHeader.Transport;
import dev.sockit.proxy.ProxyProtocol.Version;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The PROXY header decoder against HAProxy's doc/proxy-protocol.txt: its examples and
 * limits, every malformed variant we could name, every valid header cut at every byte, and
 * the client's data that came in the same read left intact behind the header.
 */
class ProxyHeaderDecoderTest {

    private static final byte[] CLIENT_DATA = "GET / HTTP/1.1\r\nHost: 192.168.0.11\r\n\r\n".getBytes(US_ASCII);
    private static final byte[] SIGNATURE = HexFormat.of().parseHex("0d0a0d0a000d0a515549540a");

    private final ProxyHeaderDecoder any = new ProxyHeaderDecoder(Version.ANY, ProxyProtocol.MAX_HEADER_BYTES);

    // --- version 1: the specification's examples and limits ---

    @Test
    void readsTheSpecificationsExampleAndLeavesTheRequestBehindIt() throws Exception {
        ByteBuffer in = buffer(concat(ascii("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n"), CLIENT_DATA));

        ProxyHeader header = any.decode(in);

        assertThat(header.version()).isEqualTo(1);
        assertThat(header.command()).isEqualTo(Command.PROXY);
        assertThat(header.family()).isEqualTo(Family.INET);
        assertThat(header.source()).isEqualTo(inet("192.168.0.1", 56324));
        assertThat(header.destination()).isEqualTo(inet("192.168.0.11", 443));
        assertThat(rest(in)).isEqualTo(CLIENT_DATA);
    }

    @Test
    void readsTheLongestTcp6LineOf104Bytes() throws Exception {
        String full = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
        byte[] line = ascii("PROXY TCP6 " + full + " " + full + " 65535 65535\r\n");
        assertThat(line).hasSize(104);

        ProxyHeader header = any.decode(buffer(line));

        assertThat(header.family()).isEqualTo(Family.INET6);
        assertThat(header.source()).isEqualTo(inet(full, 65535));
    }

    @Test
    void readsShortIpv6FormsAndPortZero() throws Exception {
        ProxyHeader header = any.decode(buffer(ascii("PROXY TCP6 2001:db8::7 ::1 0 8001\r\n")));

        assertThat(header.source()).isEqualTo(inet("2001:db8::7", 0));
        assertThat(header.destination()).isEqualTo(inet("::1", 8001));
    }

    @Test
    void readsUnknownInItsShortFormAsNoAddresses() throws Exception {
        ByteBuffer in = buffer(concat(ascii("PROXY UNKNOWN\r\n"), CLIENT_DATA));

        ProxyHeader header = any.decode(in);

        assertThat(header.hasAddresses()).isFalse();
        assertThat(header.family()).isEqualTo(Family.UNSPEC);
        assertThat(rest(in)).isEqualTo(CLIENT_DATA);
    }

    @Test
    void readsTheWorstCaseUnknownLineOf107BytesIgnoringWhatFollowsUnknown() throws Exception {
        String full = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
        byte[] line = ascii("PROXY UNKNOWN " + full + " " + full + " 65535 65535\r\n");
        assertThat(line).hasSize(107);

        ProxyHeader header = any.decode(buffer(concat(line, CLIENT_DATA)));

        assertThat(header.hasAddresses()).isFalse();
    }

    @Test
    void refusesALineWhoseCrlfWouldEndPastByte107() {
        // 106 bytes and CR, LF as byte 108.
        byte[] line = concat(ascii("PROXY UNKNOWN " + "a".repeat(92)), ascii("\r\n"));
        assertThat(line).hasSize(108);

        assertThatThrownBy(() -> any.decode(buffer(line))).isInstanceOf(ProxyHeaderException.class)
                .hasMessageContaining("no CRLF within 107 bytes");
    }

    @Test
    void waitsForMoreWhileALineIsShorterThan107BytesWithoutCrlf() throws Exception {
        ByteBuffer in = buffer(ascii("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443"));

        assertThat(any.decode(in)).isNull();
        assertThat(in.position()).isZero();
    }

    static Stream<Arguments> malformedV1() {
        return Stream.of(
                Arguments.of("bare LF", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n", "bare LF"),
                Arguments.of("CR without LF", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\rx", "CR not followed by LF"),
                Arguments.of("lower case keyword", "proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n", "no PROXY protocol header"),
                Arguments.of("no space after PROXY", "PROXYTCP4 1.2.3.4 5.6.7.8 1 2\r\n", "no PROXY protocol header"),
                Arguments.of("two spaces", "PROXY  TCP4 1.2.3.4 5.6.7.8 1 2\r\n", "TCP4, TCP6 or UNKNOWN"),
                Arguments.of("unknown protocol", "PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n", "TCP4, TCP6 or UNKNOWN"),
                Arguments.of("UNKNOWN with a suffix", "PROXY UNKNOWNX\r\n", "TCP4, TCP6 or UNKNOWN"),
                Arguments.of("nothing after PROXY", "PROXY \r\n", "TCP4, TCP6 or UNKNOWN"),
                Arguments.of("too few fields", "PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n", "needs 5"),
                Arguments.of("too many fields", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n", "needs 5"),
                Arguments.of("trailing space", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n", "needs 5"),
                Arguments.of("double space between fields", "PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n", "needs 5"),
                Arguments.of("tab for space", "PROXY TCP4\t1.2.3.4 5.6.7.8 1 2\r\n", "TCP4, TCP6 or UNKNOWN"),
                Arguments.of("IPv4 octet over 255", "PROXY TCP4 1.2.3.256 5.6.7.8 1 2\r\n", "not an IPv4 address"),
                Arguments.of("IPv4 leading zero", "PROXY TCP4 1.2.3.04 5.6.7.8 1 2\r\n", "not an IPv4 address"),
                Arguments.of("IPv4 three parts", "PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n", "not an IPv4 address"),
                Arguments.of("IPv4 empty part", "PROXY TCP4 1..3.4 5.6.7.8 1 2\r\n", "not an IPv4 address"),
                Arguments.of("IPv4 sign", "PROXY TCP4 1.2.3.+4 5.6.7.8 1 2\r\n", "not an IPv4 address"),
                Arguments.of("host name", "PROXY TCP4 localhost 5.6.7.8 1 2\r\n", "not an IPv4 address"),
                Arguments.of("IPv6 under TCP4", "PROXY TCP4 ::1 5.6.7.8 1 2\r\n", "not an IPv4 address"),
                Arguments.of("IPv4 under TCP6", "PROXY TCP6 1.2.3.4 ::1 1 2\r\n", "not an IPv6 address"),
                Arguments.of("IPv6 two ::", "PROXY TCP6 1::2::3 ::1 1 2\r\n", "not an IPv6 address"),
                Arguments.of("IPv6 scope", "PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n", "not an IPv6 address"),
                Arguments.of("IPv6 in brackets", "PROXY TCP6 [::1] ::1 1 2\r\n", "not an IPv6 address"),
                Arguments.of("IPv6 group too long", "PROXY TCP6 12345::1 ::1 1 2\r\n", "not an IPv6 address"),
                Arguments.of("port over 65535", "PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n", "not a port"),
                Arguments.of("port leading zero", "PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n", "not a port"),
                Arguments.of("negative port", "PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n", "not a port"),
                Arguments.of("empty port", "PROXY TCP4 1.2.3.4 5.6.7.8 1 \r\n", "not a port"),
                Arguments.of("HTTP instead", "GET / HTTP/1.1\r\n", "no PROXY protocol header"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedV1")
    void refusesMalformedV1(String name, String line, String why) {
        ByteBuffer in = buffer(ascii(line));

        assertThatThrownBy(() -> any.decode(in)).isInstanceOf(ProxyHeaderException.class).hasMessageContaining(why);
        assertThat(in.position()).isZero();
    }

    // --- version 2 ---

    @Test
    void readsAV2Tcp4HeaderAndLeavesTheClientsBytes() throws Exception {
        byte[] header = v2(0x21, 0x11, concat(bytes(203, 0, 113, 7), bytes(192, 0, 2, 1), bytes(0x15, 0xB3, 0x1F, 0x41)));
        ByteBuffer in = buffer(concat(header, CLIENT_DATA));

        ProxyHeader read = any.decode(in);

        assertThat(read.version()).isEqualTo(2);
        assertThat(read.command()).isEqualTo(Command.PROXY);
        assertThat(read.transport()).isEqualTo(Transport.STREAM);
        assertThat(read.source()).isEqualTo(inet("203.0.113.7", 5555));
        assertThat(read.destination()).isEqualTo(inet("192.0.2.1", 8001));
        assertThat(read.tlvs()).isEmpty();
        assertThat(rest(in)).isEqualTo(CLIENT_DATA);
    }

    @Test
    void readsAV2Tcp6Header() throws Exception {
        byte[] from = InetAddress.ofLiteral("2001:db8::7").getAddress();
        byte[] to = InetAddress.ofLiteral("2001:db8::1").getAddress();
        ProxyHeader read = any.decode(buffer(v2(0x21, 0x21, concat(from, to, bytes(0, 80, 0, 81)))));

        assertThat(read.family()).isEqualTo(Family.INET6);
        assertThat(read.source()).isEqualTo(inet("2001:db8::7", 80));
        assertThat(read.destination()).isEqualTo(inet("2001:db8::1", 81));
    }

    @Test
    void readsAV2UnixHeader() throws Exception {
        byte[] from = Arrays.copyOf(ascii("/run/client.sock"), 108);
        byte[] to = Arrays.copyOf(ascii("/run/sockit.sock"), 108);
        ProxyHeader read = any.decode(buffer(v2(0x21, 0x31, concat(from, to))));

        assertThat(read.family()).isEqualTo(Family.UNIX);
        assertThat(read.source()).isEqualTo(UnixDomainSocketAddress.of("/run/client.sock"));
        assertThat(read.destination()).isEqualTo(UnixDomainSocketAddress.of("/run/sockit.sock"));
    }

    @Test
    void readsUdpAddressesAsTheyAreSaid() throws Exception {
        ProxyHeader read = any.decode(buffer(v2(0x21, 0x12, concat(bytes(10, 0, 0, 1), bytes(10, 0, 0, 2), bytes(0, 1, 0, 2)))));

        assertThat(read.transport()).isEqualTo(Transport.DGRAM);
        assertThat(read.source()).isEqualTo(inet("10.0.0.1", 1));
    }

    @Test
    void readsALocalHeaderWithoutAddresses() throws Exception {
        ByteBuffer in = buffer(concat(v2(0x20, 0x00, new byte[0]), CLIENT_DATA));

        ProxyHeader read = any.decode(in);

        assertThat(read.command()).isEqualTo(Command.LOCAL);
        assertThat(read.hasAddresses()).isFalse();
        assertThat(rest(in)).isEqualTo(CLIENT_DATA);
    }

    @Test
    void skipsALocalHeadersWholeBlockAndNeverTrustsItsAddresses() throws Exception {
        // A LOCAL header that nonetheless carries a TCP4 block and a TLV: all of it is skipped,
        // none of it believed, and the client's bytes after it are intact.
        byte[] block = concat(bytes(6, 6, 6, 6), bytes(7, 7, 7, 7), bytes(0, 1, 0, 2), tlv(Tlv.AUTHORITY, ascii("evil")));
        ByteBuffer in = buffer(concat(v2(0x20, 0x11, block), CLIENT_DATA));

        ProxyHeader read = any.decode(in);

        assertThat(read.command()).isEqualTo(Command.LOCAL);
        assertThat(read.source()).isNull();
        assertThat(read.tlvs()).isEmpty();
        assertThat(rest(in)).isEqualTo(CLIENT_DATA);
    }

    @Test
    void acceptsAnUnspecifiedProxyHeaderAsNoAddressesAndSkipsItsBlock() throws Exception {
        ByteBuffer in = buffer(concat(v2(0x21, 0x00, bytes(1, 2, 3)), CLIENT_DATA));

        ProxyHeader read = any.decode(in);

        assertThat(read.hasAddresses()).isFalse();
        assertThat(rest(in)).isEqualTo(CLIENT_DATA);
    }

    @Test
    void readsTlvsExactlyWhenTheClientsDataFollowsInTheSameRead() throws Exception {
        byte[] unique = ascii("abc-123");
        byte[] header = v2(0x21, 0x11, concat(bytes(203, 0, 113, 7), bytes(192, 0, 2, 1), bytes(0x15, 0xB3, 0x1F, 0x41),
                tlv(Tlv.AUTHORITY, ascii("example.com")), tlv(Tlv.NOOP, new byte[0]), tlv(Tlv.UNIQUE_ID, unique),
                tlv(0xEA, bytes(1, 2, 3))));
        // The client's bytes look like one more TLV: a decoder reading to the end of the read would take them.
        byte[] data = concat(tlv(Tlv.AUTHORITY, ascii("not-the-header")), CLIENT_DATA);
        ByteBuffer in = buffer(concat(header, data));

        ProxyHeader read = any.decode(in);

        assertThat(read.tlvs()).extracting(Tlv::type).containsExactly(Tlv.AUTHORITY, Tlv.NOOP, Tlv.UNIQUE_ID, 0xEA);
        assertThat(read.tlv(Tlv.AUTHORITY).orElseThrow().text()).isEqualTo("example.com");
        assertThat(read.tlv(Tlv.UNIQUE_ID).orElseThrow().value()).isEqualTo(unique);
        assertThat(read.tlv(Tlv.ALPN)).isEmpty();
        assertThat(rest(in)).isEqualTo(data);
    }

    @Test
    void checksACrc32cTlvAndRefusesAHeaderThatFailsIt() throws Exception {
        ProxyHeader sent = ProxyHeader.proxied(inet("203.0.113.7", 5555), inet("192.0.2.1", 8001))
                .withTlvs(List.of(new Tlv(Tlv.CRC32C, new byte[4]), new Tlv(Tlv.AUTHORITY, ascii("example.com"))));
        byte[] good = sent.v2Bytes();

        assertThat(any.decode(buffer(good)).source()).isEqualTo(inet("203.0.113.7", 5555));

        byte[] corrupt = good.clone();
        corrupt[good.length - 1] ^= 1; // one bit of the authority
        assertThatThrownBy(() -> any.decode(buffer(corrupt))).isInstanceOf(ProxyHeaderException.class)
                .hasMessageContaining("CRC32C");
    }

    static Stream<Arguments> malformedV2() {
        byte[] tcp4 = concat(bytes(1, 2, 3, 4), bytes(5, 6, 7, 8), bytes(0, 1, 0, 2));
        return Stream.of(
                Arguments.of("version 1 nibble", v2(0x11, 0x11, tcp4), "version 1"),
                Arguments.of("version 3 nibble", v2(0x31, 0x11, tcp4), "version 3"),
                Arguments.of("command 2", v2(0x22, 0x11, tcp4), "command 2"),
                Arguments.of("command 15", v2(0x2F, 0x11, tcp4), "command 15"),
                Arguments.of("family 4", v2(0x21, 0x41, tcp4), "family 4"),
                Arguments.of("transport 3", v2(0x21, 0x13, tcp4), "transport 3"),
                Arguments.of("TCP4 block too short", v2(0x21, 0x11, Arrays.copyOf(tcp4, 11)), "needs 12"),
                Arguments.of("TCP6 block too short", v2(0x21, 0x21, new byte[35]), "needs 36"),
                Arguments.of("Unix block too short", v2(0x21, 0x31, new byte[215]), "needs 216"),
                Arguments.of("TLV cut in its type and length", v2(0x21, 0x11, concat(tcp4, bytes(0x02, 0))), "at least 3"),
                Arguments.of("TLV longer than the header", v2(0x21, 0x11, concat(tcp4, bytes(0x02, 0, 5, 'a', 'b'))),
                        "only 2 are left"),
                Arguments.of("CRC32C of 3 bytes", v2(0x21, 0x11, concat(tcp4, tlv(Tlv.CRC32C, bytes(1, 2, 3)))),
                        "CRC32C TLV has 3"),
                Arguments.of("length over the cap", concat(SIGNATURE, bytes(0x21, 0x11, 0x10, 0x00)), "over the cap"),
                Arguments.of("signature with one byte wrong", concat(Arrays.copyOf(SIGNATURE, 11), bytes('X')),
                        "no PROXY protocol header"),
                Arguments.of("TLS client hello", bytes(0x16, 0x03, 0x01, 0x00, 0xA5, 0x01), "no PROXY protocol header"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedV2")
    void refusesMalformedV2(String name, byte[] header, String why) {
        ByteBuffer in = buffer(header);

        assertThatThrownBy(() -> any.decode(in)).isInstanceOf(ProxyHeaderException.class).hasMessageContaining(why);
        assertThat(in.position()).isZero();
    }

    @Test
    void refusesAVersionItWasNotToldToAccept() {
        ProxyHeaderDecoder v1 = new ProxyHeaderDecoder(Version.V1, ProxyProtocol.MAX_HEADER_BYTES);
        ProxyHeaderDecoder v2 = new ProxyHeaderDecoder(Version.V2, ProxyProtocol.MAX_HEADER_BYTES);

        assertThatThrownBy(() -> v1.decode(buffer(ProxyHeader.local().v2Bytes()))).hasMessageContaining("only version 1");
        assertThatThrownBy(() -> v2.decode(buffer(ascii("PROXY UNKNOWN\r\n")))).hasMessageContaining("only version 2");
    }

    @Test
    void refusesAtTheFirstWrongByteWithoutWaitingForMore() {
        // A peer that is not a proxy is known from its first byte: no need to wait out the timeout.
        assertThatThrownBy(() -> any.decode(buffer(ascii("G")))).hasMessageContaining("no PROXY protocol header");
        assertThatThrownBy(() -> any.decode(buffer(ascii("PROXZ")))).hasMessageContaining("no PROXY protocol header");
        assertThatThrownBy(() -> any.decode(buffer(bytes(0x0D, 0x0A, 0x0D, 0x0B)))).hasMessageContaining("no PROXY");
    }

    // --- every valid header, cut at every byte ---

    static Stream<Arguments> valid() {
        return Stream.of(
                Arguments.of("v1 TCP4", ascii("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n")),
                Arguments.of("v1 TCP6", ascii("PROXY TCP6 2001:db8::7 ::1 5555 8001\r\n")),
                Arguments.of("v1 UNKNOWN", ascii("PROXY UNKNOWN\r\n")),
                Arguments.of("v1 UNKNOWN long", ascii("PROXY UNKNOWN ::1 ::1 1 2\r\n")),
                Arguments.of("v2 TCP4", ProxyHeader.proxied(inet("203.0.113.7", 5555), inet("192.0.2.1", 8001)).v2Bytes()),
                Arguments.of("v2 TCP6 with TLVs", ProxyHeader.proxied(inet("2001:db8::7", 1), inet("::1", 2))
                        .withTlvs(List.of(new Tlv(Tlv.CRC32C, new byte[4]), new Tlv(Tlv.UNIQUE_ID, ascii("id")))).v2Bytes()),
                Arguments.of("v2 UNIX", ProxyHeader.proxied(UnixDomainSocketAddress.of("/a"),
                        UnixDomainSocketAddress.of("/b")).v2Bytes()),
                Arguments.of("v2 LOCAL", ProxyHeader.local().v2Bytes()),
                Arguments.of("v2 LOCAL with a block", v2(0x20, 0x11, new byte[40])),
                Arguments.of("v2 UNSPEC", v2(0x21, 0x00, new byte[3])));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valid")
    void waitsAtEveryCutAndReadsTheSameHeaderOnceWhole(String name, byte[] header) throws Exception {
        ProxyHeader whole = any.decode(buffer(concat(header, CLIENT_DATA)));
        for (int cut = 0; cut < header.length; cut++) {
            ByteBuffer part = buffer(Arrays.copyOf(header, cut));
            assertThat(any.decode(part)).as("after %d of %d bytes", cut, header.length).isNull();
            assertThat(part.position()).as("after %d bytes", cut).isZero();
        }
        for (int cut = header.length; cut <= header.length + CLIENT_DATA.length; cut++) {
            ByteBuffer part = buffer(Arrays.copyOf(concat(header, CLIENT_DATA), cut));
            assertThat(any.decode(part)).as("with %d bytes", cut).isEqualTo(whole);
            assertThat(part.position()).isEqualTo(header.length);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valid")
    void readsAHeaderArrivingOneByteAtATime(String name, byte[] header) throws Exception {
        byte[] stream = concat(header, CLIENT_DATA);
        ByteBuffer in = ByteBuffer.allocate(stream.length);
        ProxyHeader read = null;
        for (int i = 0; read == null; i++) {
            in.put(stream[i]).flip();
            read = any.decode(in);
            in.compact();
        }
        in.put(stream, header.length, CLIENT_DATA.length).flip();

        assertThat(read).isEqualTo(any.decode(buffer(stream)));
        assertThat(rest(in)).isEqualTo(CLIENT_DATA);
    }

    // --- what a sender writes reads back ---

    @Test
    void writesV1AndV2ThatReadBackTheSame() throws Exception {
        ProxyHeader four = ProxyHeader.proxied(inet("203.0.113.7", 5555), inet("192.0.2.1", 8001));
        ProxyHeader six = ProxyHeader.proxied(inet("2001:db8::7", 5555), inet("::1", 8001));

        assertThat(new String(four.v1Bytes(), US_ASCII)).isEqualTo("PROXY TCP4 203.0.113.7 192.0.2.1 5555 8001\r\n");
        assertThat(any.decode(buffer(four.v1Bytes())).source()).isEqualTo(four.source());
        assertThat(any.decode(buffer(six.v1Bytes())).source()).isEqualTo(six.source());
        assertThat(any.decode(buffer(four.v2Bytes()))).isEqualTo(four);
        assertThat(any.decode(buffer(six.v2Bytes()))).isEqualTo(six);
        assertThat(HexFormat.of().formatHex(ProxyHeader.local().v2Bytes())).isEqualTo("0d0a0d0a000d0a515549540a" + "20000000");
    }

    // --- helpers ---

    static byte[] v2(int versionAndCommand, int familyAndTransport, byte[] block) {
        return concat(SIGNATURE, bytes(versionAndCommand, familyAndTransport, block.length >> 8, block.length & 0xFF), block);
    }

    static byte[] tlv(int type, byte[] value) {
        return concat(bytes(type, value.length >> 8, value.length & 0xFF), value);
    }

    static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    static byte[] ascii(String text) {
        return text.getBytes(US_ASCII);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    static ByteBuffer buffer(byte[] bytes) {
        return ByteBuffer.wrap(bytes);
    }

    static byte[] rest(ByteBuffer in) {
        byte[] rest = new byte[in.remaining()];
        in.get(rest);
        return rest;
    }

    static InetSocketAddress inet(String address, int port) {
        return new InetSocketAddress(InetAddress.ofLiteral(address), port);
    }
}
