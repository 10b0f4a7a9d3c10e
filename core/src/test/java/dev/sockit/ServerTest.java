package dev.sockit;

import static dev.sockit.TestKit.awaitUntil;
import static dev.sockit.TestKit.onLoopback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static java.nio.charset.StandardCharsets.UTF_8;

import dev.sockit.TestKit.Peer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A server on loopback, talked to through plain sockets. */
class ServerTest {

    private static final String ACK = "server received your message.";

    @Test
    void answersAMessageWithTheWalkThroughsReplyByDefault() throws Exception {
        try (Server server = onLoopback().start(); Peer peer = Peer.connect(server)) {
            assertThat(peer.ask("hello")).isEqualTo(ACK);
        }
    }

    @Test
    void answersFiveHundredClientsConnectedAtOnce() throws Exception {
        int count = 500;
        List<Peer> peers = new ArrayList<>(count);
        try (Server server = onLoopback().handler(Handlers.echo()).start()) {
            for (int i = 0; i < count; i++) {
                peers.add(Peer.connect(server));
            }
            for (int i = 0; i < count; i++) {
                peers.get(i).send("hello from " + i);
            }
            for (int i = 0; i < count; i++) {
                assertThat(peers.get(i).readLine()).isEqualTo("hello from " + i);
            }
            assertThat(server.connections()).hasSize(count);
        } finally {
            for (Peer peer : peers) {
                peer.close();
            }
        }
    }

    @Test
    void answersEveryLineWhenManyArriveInOneWrite() throws Exception {
        try (Server server = onLoopback().start(); Peer peer = Peer.connect(server)) {
            peer.write("a\nb\r\nc\n".repeat(100));
            assertThat(peer.readLines(300)).containsOnly(ACK);
            peer.socket().shutdownOutput();
            assertThat(peer.readUntilEnd()).as("no reply beyond one per line").isEmpty();
        }
    }

    @Test
    void joinsALineSplitOverManyWrites() throws Exception {
        try (Server server = onLoopback().handler(Handlers.echo()).start(); Peer peer = Peer.connect(server)) {
            for (String piece : List.of("he", "l", "lo, ", "wor", "ld", "\r", "\n")) {
                peer.write(piece);
            }
            assertThat(peer.readLine()).isEqualTo("hello, world");
        }
    }

    @Test
    void joinsAMultiByteCharacterSplitAcrossWrites() throws Exception {
        byte[] line = TestKit.utf8("€😀\n"); // 3 + 4 bytes of text
        try (Server server = onLoopback().handler(Handlers.echo()).start(); Peer peer = Peer.connect(server)) {
            for (byte b : line) {
                peer.write(new byte[] {b});
            }
            assertThat(peer.readLine()).isEqualTo("€😀");
        }
    }

    @Test
    void answersAnOverLongLineWithOneErrorLineAndThenEndOfStream() throws Exception {
        try (Server server = onLoopback().start(); Peer peer = Peer.connect(server)) {
            peer.write("x".repeat(70_000) + "\n");
            assertThat(peer.readUntilEnd()).containsExactly("error: line longer than 65536 bytes");
        }
    }

    @Test
    void keepsServingAnotherClientWhileOneSendsAnOverLongLine() throws Exception {
        try (Server server = onLoopback().start(); Peer bystander = Peer.connect(server);
                Peer offender = Peer.connect(server)) {
            assertThat(bystander.ask("before")).isEqualTo(ACK);
            offender.write("x".repeat(70_000) + "\n");
            assertThat(offender.readUntilEnd()).hasSize(1);
            assertThat(bystander.ask("after")).isEqualTo(ACK);
        }
    }

    @Test
    void keepsServingOthersAfterAClientSendsGarbage() throws Exception {
        byte[] garbage = new byte[64 * 1024];
        new Random(42).nextBytes(garbage);
        garbage[0] = 0;
        garbage[garbage.length - 1] = '\n';
        try (Server server = onLoopback().start(); Peer bystander = Peer.connect(server)) {
            try (Peer vandal = Peer.connect(server)) {
                vandal.write(garbage);
                vandal.socket().shutdownOutput();
                // However the server takes the bytes, it answers or refuses them and hangs up.
                vandal.readUntilEnd();
            }
            assertThat(bystander.ask("still there?")).isEqualTo(ACK);
            try (Peer newcomer = Peer.connect(server)) {
                assertThat(newcomer.ask("hello")).isEqualTo(ACK);
            }
        }
    }

    @Test
    void answersEveryLineOfBinaryGarbageThatFitsTheLimit() throws Exception {
        byte[] garbage = new byte[16 * 1024];
        new Random(7).nextBytes(garbage);
        garbage[0] = 0;
        garbage[garbage.length - 1] = '\n';
        int lines = 0;
        for (byte b : garbage) {
            lines += b == '\n' ? 1 : 0;
        }
        try (Server server = onLoopback().start(); Peer peer = Peer.connect(server)) {
            peer.write(garbage);
            peer.socket().shutdownOutput();
            assertThat(peer.readUntilEnd()).hasSize(lines).containsOnly(ACK);
        }
    }

    @Test
    void turnsAwayAClientBeyondTheConnectionLimitWithABusyLine() throws Exception {
        try (Server server = onLoopback().maxConnections(2).start(); Peer first = Peer.connect(server);
                Peer second = Peer.connect(server)) {
            assertThat(first.ask("1")).isEqualTo(ACK);
            assertThat(second.ask("2")).isEqualTo(ACK);
            try (Peer third = Peer.connect(server)) {
                List<String> lines = third.readUntilEnd();
                assertThat(lines).singleElement().asString().startsWith("error: server busy");
            }
            assertThat(server.rejectedCount()).isEqualTo(1);
            assertThat(server.connections()).hasSize(2);
        }
    }

    @Test
    void answersAFloodAtTheLimitWithAtMost64RefusalsInFlightAndClosesTheRestUnanswered() throws Exception {
        int flood = 400;
        List<Socket> peers = new ArrayList<>();
        try (Server server = onLoopback().maxConnections(1).start(); Peer occupant = Peer.connect(server)) {
            assertThat(occupant.ask("1")).isEqualTo(ACK);
            long start = System.nanoTime();
            try {
                // They neither read nor close: each told peer holds its refusal for the whole linger (1 s).
                for (int i = 0; i < flood; i++) {
                    peers.add(new Socket(InetAddress.getLoopbackAddress(), server.port()));
                }
                awaitUntil("every peer of the flood refused", () -> server.rejectedCount() == flood);
                long floodSeconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
                int told = 0;
                for (Socket peer : peers) {
                    peer.setSoTimeout((int) TestKit.PATIENCE.toMillis());
                    String first = new BufferedReader(new InputStreamReader(peer.getInputStream(), UTF_8)).readLine();
                    if (first != null) {
                        assertThat(first).startsWith("error: server busy");
                        told++;
                    }
                }
                assertThat(told).as("peers told why, with 64 refusals at most in flight over %d s", floodSeconds + 1)
                        .isPositive().isLessThanOrEqualTo(64 * (int) (floodSeconds + 1));
                if (floodSeconds == 0) {
                    assertThat(told).as("the rest were closed unanswered").isLessThan(flood);
                }
            } finally {
                for (Socket peer : peers) {
                    peer.close();
                }
            }
            assertThat(occupant.ask("2")).as("the admitted client is served throughout").isEqualTo(ACK);
        }
    }

    @Test
    void admitsANewClientOnceOneLeavesAtTheConnectionLimit() throws Exception {
        try (Server server = onLoopback().maxConnections(2).start(); Peer stays = Peer.connect(server)) {
            try (Peer leaves = Peer.connect(server)) {
                assertThat(leaves.ask("1")).isEqualTo(ACK);
            }
            assertThat(stays.ask("2")).isEqualTo(ACK);
            awaitUntil("the leaver's connection is gone", () -> server.connections().size() == 1);
            try (Peer newcomer = Peer.connect(server)) {
                assertThat(newcomer.ask("3")).isEqualTo(ACK);
            }
            assertThat(server.rejectedCount()).isZero();
        }
    }

    @Test
    void refusesToListenOnAPortInUseNamingTheEndpoint() throws Exception {
        try (Server first = onLoopback().start()) {
            Endpoint taken = first.endpoint();
            assertThatThrownBy(() -> Server.listen(taken).start())
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(taken.toString())
                    .hasMessageContaining("address already in use");
        }
    }

    @Test
    void servesAClientOverIpv6LoopbackNamingItInBrackets() throws Exception {
        assumeTrue(ipv6LoopbackWorks(), "this machine has no IPv6 loopback");
        try (Server server = Server.listen(Endpoint.parse("tcp://[::1]:0")).start();
                Peer peer = Peer.connect("::1", server.port())) {
            assertThat(peer.ask("hello")).isEqualTo(ACK);
            assertThat(server.endpoint().toString()).isEqualTo("tcp://[::1]:" + server.port());
            assertThat(server.connections()).singleElement()
                    .satisfies(c -> assertThat(Peers.describe(c.remote()))
                            .isEqualTo("[::1]:" + peer.socket().getLocalPort()));
        }
    }

    private static boolean ipv6LoopbackWorks() {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
            return probe.isBound();
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void reportsThePortTheSystemChoseForPortZero() throws Exception {
        try (Server server = onLoopback().start()) {
            assertThat(server.port()).isPositive();
            assertThat(server.endpoint()).isEqualTo(Endpoint.tcp("127.0.0.1", server.port()));
        }
    }

    @Test
    void listsEachLiveConnectionWithThePeersAddress() throws Exception {
        try (Server server = onLoopback().start(); Peer peer = Peer.connect(server)) {
            assertThat(peer.ask("hello")).isEqualTo(ACK);
            assertThat(server.connections()).singleElement()
                    .satisfies(c -> assertThat(Peers.describe(c.remote()))
                            .isEqualTo("127.0.0.1:" + peer.socket().getLocalPort()));
        }
    }

    @Test
    void broadcastsToEveryLiveConnection() throws Exception {
        try (Server server = onLoopback().start(); Peer a = Peer.connect(server); Peer b = Peer.connect(server)) {
            assertThat(a.ask("a")).isEqualTo(ACK);
            assertThat(b.ask("b")).isEqualTo(ACK);
            assertThat(server.broadcast(Message.of("news"))).isEqualTo(2);
            assertThat(List.of(a.readLine(), b.readLine())).containsExactly("news", "news");
        }
    }
}
