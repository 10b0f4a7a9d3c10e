package dev.sockit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** TCP and UDP over IPv6 loopback, and one IPv6 wildcard socket serving IPv4 clients too. */
class Ipv6KindsTest {

    @BeforeEach
    void needsIpv6() {
        assumeTrue(Ipv6.hasLoopback(), "this machine has no IPv6 loopback (::1): IPv6 tests skipped");
    }

    @Test
    void answersOverTcpOnIpv6Loopback() throws Exception {
        BlockingQueue<Connection> accepted = new LinkedBlockingQueue<>();
        try (Server server = Server.listen(Endpoint.parse("tcp://[::1]:0")).handler(remembering(accepted)).start();
             Socket peer = new Socket(InetAddress.getByName("::1"), server.port())) {
            assertThat(server.endpoint().toString()).isEqualTo("tcp://[::1]:" + server.port());
            assertThat(ask(peer, "hello")).isEqualTo("ok");
            Connection served = Received.next(accepted);
            assertThat(Peers.describe(served.remote())).isEqualTo("[::1]:" + peer.getLocalPort());
            assertThat(Peers.describe(served.local())).isEqualTo("[::1]:" + server.port());
        }
    }

    @Test
    void acceptsIpv4AndIpv6ClientsOnTheIpv6Wildcard() throws Exception {
        BlockingQueue<Connection> accepted = new LinkedBlockingQueue<>();
        // The IPv6 client connects only once the IPv4 one was served: the handlers of two
        // connections made at once may start in either order, and the queue takes them as they do.
        try (Server server = Server.listen(Endpoint.parse("tcp://[::]:0")).handler(remembering(accepted)).start();
             Socket v4 = new Socket(InetAddress.getByName("127.0.0.1"), server.port())) {
            assertThat(ask(v4, "over IPv4")).isEqualTo("ok");
            assertThat(Peers.describe(Received.next(accepted).remote()))
                    .as("an IPv4 client shows as IPv4, not ::ffff:127.0.0.1").isEqualTo("127.0.0.1:" + v4.getLocalPort());
            try (Socket v6 = new Socket(InetAddress.getByName("::1"), server.port())) {
                assertThat(ask(v6, "over IPv6")).isEqualTo("ok");
                assertThat(Peers.describe(Received.next(accepted).remote())).isEqualTo("[::1]:" + v6.getLocalPort());
            }
        }
    }

    @Test
    void answersOverUdpOnIpv6Loopback() throws Exception {
        try (Server server = Server.listen(Endpoint.parse("udp://[::1]:0")).handler(Handlers.ack("ok")).start();
             UdpPeer peer = new UdpPeer(new InetSocketAddress("::1", server.port()), InetAddress.getByName("::1"))) {
            assertThat(peer.ask("hello")).isEqualTo("ok");
        }
    }

    @Test
    void answersUdpFromIpv4AndIpv6OnTheIpv6Wildcard() throws Exception {
        try (Server server = Server.listen(Endpoint.parse("udp://[::]:0")).handler(Handlers.echo()).start();
             UdpPeer v4 = new UdpPeer(new InetSocketAddress("127.0.0.1", server.port()));
             UdpPeer v6 = new UdpPeer(new InetSocketAddress("::1", server.port()), InetAddress.getByName("::1"))) {
            assertThat(v4.ask("four")).isEqualTo("four");
            assertThat(v6.ask("six")).isEqualTo("six");
        }
    }

    @Test
    void theClientConnectsOverIpv6ByEveryKind() throws Exception {
        for (String kind : new String[] {"tcp", "udp"}) {
            try (Server server = Server.listen(Endpoint.parse(kind + "://[::1]:0")).handler(Handlers.echo()).start();
                 Connection client = Client.connect(server.endpoint()).open()) {
                client.send("six");
                assertThat(client.receive().text()).as(kind).isEqualTo("six");
                assertThat(Peers.describe(client.remote())).as(kind).isEqualTo("[::1]:" + server.port());
                assertThat(client.protocol()).isEqualTo(kind);
            }
        }
    }

    @Test
    void theClientResolvesAHostName() throws Exception {
        try (Server server = Server.listen(Endpoint.parse("tcp://127.0.0.1:0")).handler(Handlers.echo()).start();
             Connection client = Client.connect(Endpoint.parse("tcp://localhost:" + server.port())).open()) {
            client.send("by name");
            assertThat(client.receive().text()).isEqualTo("by name");
        }
    }

    private static Handler remembering(BlockingQueue<Connection> accepted) {
        return connection -> {
            accepted.add(connection);
            Handlers.ack("ok").handle(connection);
        };
    }

    private static String ask(Socket peer, String line) throws IOException {
        peer.setSoTimeout(5_000);
        peer.getOutputStream().write((line + "\n").getBytes(UTF_8));
        return new BufferedReader(new InputStreamReader(peer.getInputStream(), UTF_8)).readLine();
    }
}
