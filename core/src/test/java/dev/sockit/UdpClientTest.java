package dev.sockit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sockit.framing.Lines;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The library's UDP client: one datagram per message, timeouts and retries, against peers it did not write. */
class UdpClientTest {

    private static final Retry QUICK = Retry.defaults().timeout(Duration.ofMillis(200));

    @Test
    void sendsEachMessageAsOneDatagramAndReceivesTheReply() throws Exception {
        try (LossyUdpPeer peer = LossyUdpPeer.losingFirst(0);
             Connection udp = Client.connect(peer.endpoint()).open()) {
            udp.send("hello");
            assertThat(udp.receive().text()).isEqualTo("reply to hello");
            assertThat(peer.received()).isEqualTo(1);
        }
    }

    @Test
    void retriesUntilALossyPeerAnswers() throws Exception {
        try (LossyUdpPeer peer = LossyUdpPeer.losingFirst(2);
             Connection udp = Client.connect(peer.endpoint()).open()) {
            Message reply = QUICK.attempts(3).request(udp, Message.of("ping"));
            assertThat(reply.text()).isEqualTo("reply to ping");
            assertThat(peer.received()).as("two lost, the third answered").isEqualTo(3);
        }
    }

    @Test
    void saysPlainlyWhenNoReplyCame() throws Exception {
        try (LossyUdpPeer peer = LossyUdpPeer.losingAll();
             Connection udp = Client.connect(peer.endpoint()).open()) {
            assertThatThrownBy(() -> QUICK.attempts(3).request(udp, Message.of("ping")))
                    .isInstanceOf(NoReplyException.class)
                    .hasMessage("no reply from " + peer.endpoint() + " to 3 attempts, 200 ms each (UDP does not say when"
                            + " a datagram is lost: is a server running there, and does it answer? try more attempts"
                            + " or a longer timeout)");
            assertThat(peer.received()).as("no more than the attempts allowed").isEqualTo(3);
            assertThat(udp.isOpen()).isTrue();
        }
    }

    @Test
    void saysWhenNothingListensOnThePort() throws Exception {
        Endpoint nobody;
        try (DatagramSocket closedSoon = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            nobody = Endpoint.udp("127.0.0.1", closedSoon.getLocalPort());
        }
        try (Connection udp = Client.connect(nobody).open()) {
            assertThatThrownBy(() -> QUICK.attempts(2).request(udp, Message.of("ping")))
                    .isInstanceOfSatisfying(NoReplyException.class, e -> assertThat(e.unreachable()).isTrue())
                    .hasMessage("no reply from " + nobody + " to 2 attempts, 200 ms each: its host says nothing listens"
                            + " on that port (is a server running? sockit server " + nobody + ")");
        }
    }

    @Test
    void receiveGivesUpAfterTheReceiveTimeoutAndStaysOpen() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
             Connection udp = Client.connect(Endpoint.udp("127.0.0.1", silent.getLocalPort()))
                     .receiveTimeout(Duration.ofMillis(100)).open()) {
            assertThatThrownBy(udp::receive)
                    .isInstanceOf(SocketTimeoutException.class)
                    .hasMessage("no datagram from udp://127.0.0.1:" + silent.getLocalPort() + " within 100 ms");
            byte[] late = "late".getBytes();
            silent.send(new DatagramPacket(late, late.length, udp.local()));
            assertThat(udp.receive().text()).isEqualTo("late");
        }
    }

    @Test
    void ignoresDatagramsFromOtherPeers() throws Exception {
        try (DatagramSocket server = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
             DatagramSocket stranger = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
             Connection udp = Client.connect(Endpoint.udp("127.0.0.1", server.getLocalPort())).open()) {
            byte[] spoof = "not from the server".getBytes();
            stranger.send(new DatagramPacket(spoof, spoof.length, udp.local()));
            byte[] real = "from the server".getBytes();
            server.send(new DatagramPacket(real, real.length, udp.local()));
            assertThat(udp.receive().text()).isEqualTo("from the server");
        }
    }

    @Test
    void refusesToSendAnEmptyDatagramRatherThanSendNothing() throws Exception {
        try (LossyUdpPeer peer = LossyUdpPeer.losingFirst(0);
             Connection udp = Client.connect(peer.endpoint()).open()) {
            assertThatThrownBy(() -> udp.send(""))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("cannot send an empty datagram to " + peer.endpoint());
        }
    }

    @Test
    void refusesTheLinesFraming() {
        assertThatThrownBy(() -> Client.connect(Endpoint.parse("udp://127.0.0.1:8001")).framing(Lines.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the lines framing does not apply to udp://127.0.0.1:8001");
    }

    @Test
    void tellsTheFiveFacts() throws Exception {
        try (LossyUdpPeer peer = LossyUdpPeer.losingFirst(0);
             Connection udp = Client.connect(peer.endpoint()).open()) {
            assertThat(udp.protocol()).isEqualTo("udp");
            assertThat(udp.remote()).isEqualTo(new InetSocketAddress("127.0.0.1", peer.endpoint().port()));
            InetSocketAddress local = (InetSocketAddress) udp.local();
            assertThat(local.getAddress().getHostAddress()).isEqualTo("127.0.0.1");
            assertThat(local.getPort()).isPositive();
        }
    }

    @Test
    void talksToTheLibrarysOwnUdpServer() throws Exception {
        try (Server server = Server.listen(Endpoint.parse("udp://127.0.0.1:0")).handler(Handlers.ack("ok")).start();
             Connection udp = Client.connect(server.endpoint()).open()) {
            assertThat(Retry.defaults().request(udp, Message.of("hello")).text()).isEqualTo("ok");
        }
    }

    @Test
    void retryIsForUdpOnly() throws Exception {
        try (Server server = Server.listen(Endpoint.parse("tcp://127.0.0.1:0")).start();
             Connection tcp = Client.connect(server.endpoint()).open()) {
            assertThatThrownBy(() -> Retry.defaults().request(tcp, Message.of("x")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is tcp, which does not");
        }
    }

    @Test
    void refusesNonsenseRetrySettings() {
        assertThatThrownBy(() -> Retry.defaults().attempts(0)).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> Retry.defaults().timeout(Duration.ZERO)).hasMessageContaining("must be positive");
    }
}
