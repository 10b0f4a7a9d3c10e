package dev.sockit;

import static dev.sockit.TestKit.onLoopback;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.TestKit.Peer;
import dev.sockit.metrics.Metrics;
import dev.sockit.metrics.PrometheusText;
import dev.sockit.metrics.Scrape;
import dev.sockit.proxy.ProxyHeader;
import dev.sockit.proxy.ProxyHeader.Tlv;
import dev.sockit.proxy.ProxyProtocol;
import dev.sockit.proxy.ProxyProtocol.Version;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PROXY protocol at admission, over real loopback sockets: the peer plays the proxy with
 * a plain socket, so the test does not trust the code that writes headers.
 */
class ProxyProtocolTest {

    private static final InetSocketAddress CLIENT = inet("203.0.113.7", 5555);
    private static final InetSocketAddress SERVER = inet("192.0.2.1", 8001);

    /** Answers each line with who the connection says its peer is, and the TLV authority if any. */
    private static final Handler WHO = connection -> {
        for (Message message; (message = connection.receive()) != null; ) {
            String authority = connection.proxyHeader().flatMap(h -> h.tlv(Tlv.AUTHORITY)).map(Tlv::text).orElse("-");
            connection.send(message.text() + " from " + Peers.describe(connection.remote()) + " to "
                    + Peers.describe(connection.local()) + " via " + authority);
        }
    };

    /** Answers each line with the header the connection began with, and the client it named. */
    private static final Handler HEADER = connection -> {
        for (Message message; (message = connection.receive()) != null; ) {
            connection.send(connection.proxyHeader().map(h -> "PROXY v" + h.version() + " from " + Peers.describe(h.source()))
                    .orElse("no header"));
        }
    };

    /** Records what the server reports. */
    private static final class Watch implements Observer {
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();
        final AtomicInteger connected = new AtomicInteger();

        @Override
        public void connected(Connection connection) {
            connected.incrementAndGet();
            events.add("connected " + Peers.describe(connection.remote()));
        }

        @Override
        public void proxyHeaderRefused(SocketAddress proxy, String why) {
            events.add("bad header from " + ((InetSocketAddress) proxy).getAddress().getHostAddress() + ": " + why);
        }

        @Override
        public void refused(SocketAddress peer, String why) {
            events.add("refused " + Peers.describe(peer) + ": " + why);
        }

        @Override
        public void rejected(SocketAddress peer, CloseReason reason) {
            events.add("rejected " + Peers.describe(peer) + ": " + reason.text());
        }

        String next() throws InterruptedException {
            return events.poll(TestKit.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private final Watch watch = new Watch();
    private final Metrics metrics = new Metrics();

    private Server.Builder proxied(Version version) {
        return onLoopback().proxyProtocol(ProxyProtocol.accept(version).from("127.0.0.1")).handler(WHO).observer(watch)
                .metrics(metrics);
    }

    @Test
    void theClientInAV2HeaderIsTheRemoteAndItsFirstLineInTheSameWriteIsServed() throws Exception {
        byte[] header = ProxyHeader.proxied(CLIENT, SERVER).withTlvs(List.of(new Tlv(Tlv.AUTHORITY, ascii("example.com"))))
                .v2Bytes();
        try (Server server = proxied(Version.V2).start(); Peer proxy = Peer.connect(server)) {
            proxy.write(concat(header, ascii("hello\nagain\n")));

            assertThat(proxy.readLines(2)).containsExactly("hello from 203.0.113.7:5555 to 192.0.2.1:8001 via example.com",
                    "again from 203.0.113.7:5555 to 192.0.2.1:8001 via example.com");
            assertThat(watch.next()).isEqualTo("connected 203.0.113.7:5555");
        }
    }

    @Test
    void theClientInAV1LineIsTheRemote() throws Exception {
        try (Server server = proxied(Version.V1).start(); Peer proxy = Peer.connect(server)) {
            proxy.write("PROXY TCP6 2001:db8::7 2001:db8::1 5555 8001\r\nhello\n");

            assertThat(proxy.readLine()).isEqualTo("hello from [2001:db8::7]:5555 to [2001:db8::1]:8001 via -");
        }
    }

    @Test
    void aHeaderSentByteByByteIsWaitedForWithinTheTimeout() throws Exception {
        byte[] header = ProxyHeader.proxied(CLIENT, SERVER).v2Bytes();
        try (Server server = proxied(Version.ANY).start(); Peer proxy = Peer.connect(server)) {
            for (byte b : header) {
                proxy.write(new byte[] {b});
            }
            assertThat(proxy.ask("hi")).isEqualTo("hi from 203.0.113.7:5555 to 192.0.2.1:8001 via -");
        }
    }

    @Test
    void aLocalHealthCheckIsServedWithTheSocketsOwnAddressesNotTheBlocksItSkips() throws Exception {
        // A LOCAL header whose block (of 12 bytes) names someone else: skipped by its length, never believed.
        byte[] local = concat(ProxyHeader.local().v2Bytes(), new byte[0]);
        local[13] = 0x11;
        local[15] = 12;
        byte[] block = {6, 6, 6, 6, 7, 7, 7, 7, 0, 1, 0, 2};
        try (Server server = proxied(Version.V2).start(); Peer proxy = Peer.connect(server)) {
            proxy.write(concat(local, block, ascii("ping\n")));

            String self = "127.0.0.1:" + proxy.socket().getLocalPort();
            assertThat(proxy.readLine()).isEqualTo("ping from " + self + " to 127.0.0.1:" + server.port() + " via -");
            assertThat(watch.next()).isEqualTo("connected " + self);
            proxy.close();
            TestKit.awaitUntil("the health check's connection is gone", () -> server.connections().isEmpty());
            assertThat(refusedFor("proxy_header")).isZero();
        }
    }

    @Test
    void aHealthCheckIsNoMemberOfTheChatRoom() throws Exception {
        try (Server server = onLoopback().proxyProtocol(ProxyProtocol.accept(Version.V2).from("127.0.0.1"))
                .handler(Handlers.chat()).start();
             Peer alice = Peer.connect(server)) {
            alice.write(concat(ProxyHeader.proxied(CLIENT, SERVER).v2Bytes(), ascii("here\n")));
            TestKit.awaitUntil("alice is in the room", () -> server.stats().messagesIn() == 1);
            try (Peer check = Peer.connect(server)) {
                check.write(ProxyHeader.local().v2Bytes());
                TestKit.awaitUntil("the health check is served", () -> server.connections().size() == 2);
            }
            TestKit.awaitUntil("the health check is gone", () -> server.connections().size() == 1);
            try (Peer bob = Peer.connect(server)) {
                bob.write(ProxyHeader.proxied(inet("203.0.113.8", 6666), SERVER).v2Bytes());
                assertThat(alice.readLine()).as("no word of the health check, then bob")
                        .isEqualTo("* 3 joined from 203.0.113.8:6666");
            }
        }
    }

    @Test
    void aBadHeaderIsClosedUnservedReportedWithTheReasonAndCounted() throws Exception {
        try (Server server = proxied(Version.ANY).start(); Peer proxy = Peer.connect(server)) {
            proxy.write("PROXY TCP4 203.0.113.7 192.0.2.1 5555 8001\nhello\n");

            assertThat(proxy.atEndOfStream()).as("closed with nothing said").isTrue();
            assertThat(watch.next()).isEqualTo("bad header from 127.0.0.1: PROXY v1 line \"PROXY TCP4 203.0.113.7"
                    + " 192.0.2.1 5555 8001\" ends with a bare LF at byte 43; it must end with CRLF");
            assertThat(refusedFor("proxy_header")).isEqualTo(1);
            assertThat(watch.connected).hasValue(0);
            assertThat(server.stats().accepted()).isZero();
            assertThat(server.stats().proxyHeaderRefused()).as("a refusal by its own cause").isEqualTo(1);
            assertThat(server.stats().refused()).as("not the access policy's").isZero();
        }
    }

    @Test
    void aTrustedPeerWithoutAHeaderIsClosedUnserved() throws Exception {
        try (Server server = proxied(Version.ANY).start(); Peer proxy = Peer.connect(server)) {
            proxy.write("hello\n");

            assertThat(proxy.atEndOfStream()).isTrue();
            assertThat(watch.next()).startsWith("bad header from 127.0.0.1: no PROXY protocol header: the connection"
                    + " began with \"hello\\n\"");
        }
    }

    @Test
    void aProxyThatSendsNoWholeHeaderInTimeIsClosed() throws Exception {
        try (Server server = onLoopback().proxyProtocol(ProxyProtocol.accept(Version.V2).from("127.0.0.1")
                .timeout(Duration.ofMillis(200))).observer(watch).start();
             Peer proxy = Peer.connect(server)) {
            proxy.write(Arrays.copyOf(ProxyHeader.proxied(CLIENT, SERVER).v2Bytes(), 20));

            assertThat(proxy.atEndOfStream()).isTrue();
            assertThat(watch.next()).isEqualTo("bad header from 127.0.0.1: no whole PROXY header within 200 ms (20 bytes"
                    + " came); connection closed");
        }
    }

    @Test
    void aPeerNotInProxyFromIsServedAsItIsAndItsHeaderIsData() throws Exception {
        try (Server server = onLoopback().proxyProtocol(ProxyProtocol.accept(Version.ANY).from("10.0.0.0/8")).handler(WHO)
                .start();
             Peer stranger = Peer.connectFrom("127.0.0.2", server.port())) {
            stranger.write("PROXY TCP4 203.0.113.7 192.0.2.1 5555 8001\r\n");

            assertThat(stranger.readLine()).startsWith("PROXY TCP4 203.0.113.7 192.0.2.1 5555 8001 from 127.0.0.2:");
        }
    }

    @Test
    void theAccessPolicyJudgesTheClientInTheHeaderNotTheProxy() throws Exception {
        try (Server server = proxied(Version.V1).deny("203.0.113.0/24").deny("127.0.0.1").start();
             Peer denied = Peer.connect(server);
             Peer allowed = Peer.connect(server)) {
            denied.write("PROXY TCP4 203.0.113.7 192.0.2.1 5555 8001\r\nhi\n");
            assertThat(denied.atEndOfStream()).isTrue();
            assertThat(watch.next()).isEqualTo("refused 203.0.113.7:5555: denied by --deny 203.0.113.0/24");

            allowed.write("PROXY TCP4 198.51.100.9 192.0.2.1 6666 8001\r\n");
            assertThat(allowed.ask("hi")).isEqualTo("hi from 198.51.100.9:6666 to 192.0.2.1:8001 via -");
        }
    }

    @Test
    void maxPerSourceCountsTheClientsInTheHeadersNotTheProxy() throws Exception {
        try (Server server = proxied(Version.V1).maxPerSource(1).start();
             Peer first = Peer.connect(server);
             Peer second = Peer.connect(server);
             Peer other = Peer.connect(server)) {
            first.write("PROXY TCP4 203.0.113.7 192.0.2.1 5555 8001\r\n");
            assertThat(first.ask("a")).startsWith("a from 203.0.113.7:5555");

            second.write("PROXY TCP4 203.0.113.7 192.0.2.1 5556 8001\r\n");
            assertThat(second.readLine()).startsWith("error: too many connections from 203.0.113.7");

            other.write("PROXY TCP4 198.51.100.9 192.0.2.1 5555 8001\r\n");
            assertThat(other.ask("b")).startsWith("b from 198.51.100.9:5555");
        }
    }

    @Test
    void theHeaderIsReadBeforeTheTlsHandshake(@TempDir Path dir) throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        DevCertificate.builder().create().write(cert, key, false);
        try (Server server = Server.listen(Endpoint.parse("tls://127.0.0.1:0")).tls(Tls.server(cert, key))
                .proxyProtocol(ProxyProtocol.accept(Version.V2).from("127.0.0.1")).handler(WHO).start();
             java.net.Socket raw = new java.net.Socket("127.0.0.1", server.port())) {
            raw.getOutputStream().write(ProxyHeader.proxied(CLIENT, SERVER).v2Bytes());
            javax.net.ssl.SSLSocket tls = TestKit.tlsOver(raw, cert, server.port());
            tls.getOutputStream().write("secret\n".getBytes(UTF_8));
            tls.getOutputStream().flush();

            byte[] reply = new byte[64];
            int n = tls.getInputStream().read(reply);
            assertThat(new String(reply, 0, n, UTF_8)).startsWith("secret from 203.0.113.7:5555");
            tls.close();
        }
    }

    @Test
    void aClientThatSendsAHeaderIsServedAsItself() throws Exception {
        for (Version version : List.of(Version.V1, Version.V2)) {
            try (Server server = onLoopback().proxyProtocol(ProxyProtocol.accept(Version.ANY).from("127.0.0.1"))
                    .handler(HEADER).start();
                 Connection client = Client.connect(Endpoint.parse("tcp://127.0.0.1:" + server.port())).sendProxy(version)
                         .open()) {
                client.send("hi");

                assertThat(client.receive().text()).isEqualTo("PROXY v" + (version == Version.V1 ? 1 : 2) + " from "
                        + Peers.describe(client.local()));
            }
        }
    }

    @Test
    void aTlsClientsHeaderLeavesWithItsHelloAndTheServerReadsBoth(@TempDir Path dir) throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        DevCertificate.builder().create().write(cert, key, false);
        // Header and client hello come in one write, so the server's first read takes the start of the
        // hello with the header: the handshake must begin from those bytes.
        try (Server server = Server.listen(Endpoint.parse("tls://127.0.0.1:0")).tls(Tls.server(cert, key))
                .proxyProtocol(ProxyProtocol.accept(Version.V2).from("127.0.0.1")).handler(HEADER).start();
             Connection client = Client.connect(Endpoint.tls("127.0.0.1", server.port()))
                     .tls(Tls.client().trust(cert)).sendProxy(Version.V2).open()) {
            client.send("hi");

            assertThat(client.receive().text()).isEqualTo("PROXY v2 from " + Peers.describe(client.local()));
        }
    }

    @Test
    void onAUnixSocketEveryPeerMustSendAHeader(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("proxied.sock");
        try (Server server = Server.listen(Endpoint.parse("unix:" + socket)).proxyProtocol(ProxyProtocol.accept(Version.V1))
                .handler(WHO).observer(watch).start();
             UnixPeer proxy = UnixPeer.connect(socket);
             UnixPeer plain = UnixPeer.connect(socket)) {
            proxy.write("PROXY TCP4 203.0.113.7 192.0.2.1 5555 8001\r\nhi\n");
            assertThat(proxy.readLine()).isEqualTo("hi from 203.0.113.7:5555 to 192.0.2.1:8001 via -");

            plain.write("hi\n");
            assertThat(plain.readsEndOfStream()).isTrue();
        }
    }

    @Test
    void closingTheServerEndsAConnectionStillWaitingForItsHeader() throws Exception {
        // A header timeout far past the peer's patience: only the close can end the wait in time.
        Server server = onLoopback().proxyProtocol(ProxyProtocol.accept(Version.V2).from("127.0.0.1")
                .timeout(Duration.ofMinutes(5))).observer(watch).start();
        try (Peer proxy = Peer.connect(server)) {
            proxy.write(new byte[] {0x0D, 0x0A});
            server.close();

            assertThat(proxy.atEndOfStream()).isTrue();
            assertThat(watch.events).as("a stop is no bad header").isEmpty();
        }
    }

    private long refusedFor(String cause) {
        return Scrape.value(PrometheusText.of(metrics), "sockit_connections_refused_total{cause=\"" + cause + "\"}");
    }

    private static byte[] ascii(String text) {
        return text.getBytes(US_ASCII);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static InetSocketAddress inet(String address, int port) {
        return new InetSocketAddress(InetAddress.ofLiteral(address), port);
    }
}
