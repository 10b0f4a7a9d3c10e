package dev.sockit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sockit.framing.Lines;
import dev.sockit.testing.ManualClock;
import dev.sockit.framing.Raw;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;

/** A UDP server: each datagram one message, through the same handlers, talked to by plain DatagramSockets. */
class UdpServerTest {

    private static final Endpoint ANY_PORT = Endpoint.parse("udp://127.0.0.1:0");

    @Test
    void answersEveryDatagramWithTheAck() throws Exception {
        try (Server server = Server.listen(ANY_PORT).handler(Handlers.ack("ok")).start();
             UdpPeer peer = UdpPeer.to(server)) {
            assertThat(peer.ask("hello")).isEqualTo("ok");
            assertThat(peer.ask("again")).isEqualTo("ok");
        }
    }

    @Test
    void answersWithTheWalkThroughsReplyByDefault() throws Exception {
        try (Server server = Server.listen(ANY_PORT).start(); UdpPeer peer = UdpPeer.to(server)) {
            assertThat(peer.ask("hello\n")).isEqualTo(Handlers.ACK_REPLY);
        }
    }

    @Test
    void echoesEachDatagramByteForByte() throws Exception {
        byte[] binary = {0, 1, '\n', (byte) 0xff, '\r', '\n'};
        try (Server server = Server.listen(ANY_PORT).handler(Handlers.echo()).start();
             UdpPeer peer = UdpPeer.to(server)) {
            peer.send(binary);
            assertThat(peer.receiveBytes()).isEqualTo(binary);
        }
    }

    @Test
    void keepsTwoMessagesInTwoDatagramsApart() throws Exception {
        try (Server server = Server.listen(ANY_PORT).handler(Handlers.echo()).start();
             UdpPeer peer = UdpPeer.to(server)) {
            peer.send("one");
            peer.send("two");
            assertThat(peer.receive()).isEqualTo("one");
            assertThat(peer.receive()).isEqualTo("two");
        }
    }

    @Test
    void deliversAnEmptyDatagramAsAnEmptyMessageNotAsTheEnd() throws Exception {
        try (Server server = Server.listen(ANY_PORT).handler(Handlers.echo()).start();
             UdpPeer peer = UdpPeer.to(server)) {
            peer.send(new byte[0]);
            assertThat(peer.receiveBytes()).isEmpty();
            assertThat(peer.ask("still here")).isEqualTo("still here");
        }
    }

    @Test
    void answersAnEmptyDatagramWithTheAck() throws Exception {
        try (Server server = Server.listen(ANY_PORT).handler(Handlers.ack("ok")).start();
             UdpPeer peer = UdpPeer.to(server)) {
            peer.send(new byte[0]);
            assertThat(peer.receive()).isEqualTo("ok");
        }
    }

    @Test
    void dropsADatagramOverTheLimitAndTellsItsSender() throws Exception {
        Received received = new Received();
        try (Server server = Server.listen(ANY_PORT).maxDatagram(10).handler(Handlers.echo()).observer(received).start();
             UdpPeer peer = UdpPeer.to(server)) {
            peer.send("12345678901");
            assertThat(peer.receive()).isEqualTo("error: datagram longer than 10 bytes; dropped");
            assertThat(Received.next(received.drops)).contains("over the limit of 10 bytes");
            assertThat(server.droppedDatagrams()).isEqualTo(1);
            assertThat(peer.ask("1234567890")).as("a datagram at the limit passes").isEqualTo("1234567890");
        }
    }

    @Test
    void takesTheLargestDatagramOverIpv4ByDefault() throws Exception {
        byte[] largest = new byte[65_507];
        largest[65_506] = 42;
        try (Server server = Server.listen(ANY_PORT).handler(Handlers.echo()).start();
             UdpPeer peer = UdpPeer.to(server)) {
            peer.socket.setSendBufferSize(1 << 17);
            peer.socket.setReceiveBufferSize(1 << 17);
            peer.send(largest);
            assertThat(peer.receiveBytes()).isEqualTo(largest);
        }
    }

    @Test
    void refusesAnUnreasonableDatagramLimit() {
        assertThatThrownBy(() -> Server.listen(ANY_PORT).maxDatagram(70_000))
                .hasMessage("maxDatagram must be from 1 to 65527 bytes (the largest UDP payload), not 70000");
    }

    @Test
    void keepsOneConnectionPerPeer() throws Exception {
        Handler whoAmI = connection -> {
            while (connection.receive() != null) {
                connection.send(String.valueOf(connection.id()));
            }
        };
        try (Server server = Server.listen(ANY_PORT).handler(whoAmI).start();
             UdpPeer first = UdpPeer.to(server);
             UdpPeer second = UdpPeer.to(server)) {
            String firstId = first.ask("a");
            String secondId = second.ask("b");
            assertThat(first.ask("c")).isEqualTo(firstId);
            assertThat(second.ask("d")).isEqualTo(secondId);
            assertThat(secondId).isNotEqualTo(firstId);
            assertThat(server.connections()).hasSize(2);
        }
    }

    @Test
    void relaysChatBetweenPeersHeardFromRecently() throws Exception {
        Received received = new Received();
        try (Server server = Server.listen(ANY_PORT).handler(Handlers.chat()).observer(received).start();
             UdpPeer first = UdpPeer.to(server);
             UdpPeer second = UdpPeer.to(server)) {
            first.send("anyone?");
            received.await("anyone?"); // chat joins a peer to the room before it reads
            second.send("hi all");
            assertThat(first.receive()).matches("\\* \\d+ joined from 127\\.0\\.0\\.1:\\d+");
            assertThat(first.receive()).matches("\\[\\d+] hi all");
            first.send("hi you");
            String heard = second.receive();
            if (heard.matches("\\[\\d+] anyone\\?")) {
                // The server saw "anyone?" before relaying it; a peer that joined in between
                // gets it too, which is right: it was in the room when the relay went out.
                heard = second.receive();
            }
            assertThat(heard).matches("\\[\\d+] hi you");
        }
    }

    @Test
    void keepsAChatMemberWhenARelayIsTooLongForOneDatagram() throws Exception {
        Received received = new Received();
        try (Server server = Server.listen(ANY_PORT).maxDatagram(20).handler(Handlers.chat()).observer(received).start();
             UdpPeer first = UdpPeer.to(server);
             UdpPeer second = UdpPeer.to(server)) {
            first.send("x");
            received.await("x");
            // "* 2 joined from 127.0.0.1:PORT" and "[2] " + 18 bytes are both over 20: neither can go.
            second.send("y".repeat(18));
            received.await("y".repeat(18));
            second.send("hi");
            assertThat(first.receive()).as("still in the room").matches("\\[\\d+] hi");
        }
    }

    @Test
    void endsTheConnectionOfAPeerThatFellSilent() throws Exception {
        Received received = new Received();
        try (Server server = Server.listen(ANY_PORT).sessionTimeout(Duration.ofMillis(200)).handler(Handlers.echo())
                .observer(received).start();
             UdpPeer peer = UdpPeer.to(server)) {
            assertThat(peer.ask("a")).isEqualTo("a");
            CloseReason reason = Received.next(received.closes);
            assertThat(reason.text()).isEqualTo("silent for 200 ms (session timeout: no datagram from the peer); session ended");
            Await.until(() -> server.connections().isEmpty(), "the silent peer's connection is gone");
            assertThat(peer.ask("back")).as("a new datagram opens a new connection").isEqualTo("back");
            assertThat(server.connections()).hasSize(1);
        }
    }

    @Test
    void aSessionEndsWhenItsIdleTimeoutHasPassedOnTheClockNotBefore() throws Exception {
        ManualClock clock = new ManualClock();
        Duration timeout = Duration.ofSeconds(30);
        Received received = new Received();
        try (Server server = Server.listen(ANY_PORT).sessionTimeout(timeout).clock(clock).handler(Handlers.echo())
                .observer(received).start();
             UdpPeer peer = UdpPeer.to(server)) {
            assertThat(peer.ask("a")).isEqualTo("a");
            long session = server.connections().iterator().next().id();
            clock.advance(timeout.minusNanos(1));
            assertThat(peer.ask("b")).as("a datagram restarts the timeout").isEqualTo("b");
            clock.advance(timeout.minusNanos(1));
            assertThat(peer.ask("c")).isEqualTo("c");
            assertThat(server.connections()).as("still the first session").extracting(Connection::id)
                    .containsExactly(session);
            assertThat(received.closes).isEmpty();
            clock.advance(timeout);
            clock.advance(Duration.ofNanos(1));
            assertThat(Received.next(received.closes).text())
                    .isEqualTo("silent for 30 s (session timeout: no datagram from the peer); session ended");
            Await.until(() -> server.connections().isEmpty(), "the silent peer's connection is gone");
        }
    }

    @Test
    void chatSaysWhenASilentPeerHasLeft() throws Exception {
        Received received = new Received();
        try (Server server = Server.listen(ANY_PORT).sessionTimeout(Duration.ofMillis(300)).handler(Handlers.chat())
                .observer(received).start();
             UdpPeer talker = UdpPeer.to(server);
             UdpPeer quiet = UdpPeer.to(server)) {
            talker.send("here");
            received.await("here");
            quiet.send("hello, then silence");
            assertThat(talker.receive()).matches("\\* (\\d+) joined from .*");
            assertThat(talker.receive()).matches("\\[\\d+] hello, then silence");
            // The talker keeps talking, so only the quiet one falls silent; its departure is
            // awaited with a deadline, each wait bounded by the socket timeout.
            talker.socket.setSoTimeout(100);
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            String heard = "";
            while (!heard.matches("\\* \\d+ left") && System.nanoTime() < deadline) {
                talker.send("still here");
                try {
                    heard = talker.receive();
                } catch (SocketTimeoutException nothingYet) {
                    // go round: talk again, listen again
                }
            }
            assertThat(heard).matches("\\* \\d+ left");
            String quietHeard = quiet.receive();
            if (quietHeard.matches("\\[\\d+] here")) {
                quietHeard = quiet.receive(); // relayed as it joined: see relaysChatBetweenPeersHeardFromRecently
            }
            assertThat(quietHeard).as("the quiet one heard the talker while it was there").matches("\\[\\d+] still here");
        }
    }

    @Test
    void refusesAnIdleTimeoutPingsOrAPushQueueItWouldIgnoreAndNamesTheSessionTimeout() {
        for (Heartbeat heartbeat : new Heartbeat[] {Heartbeat.DEFAULT.idleTimeout(Duration.ofSeconds(1)),
                Heartbeat.DEFAULT.withInterval(Duration.ofSeconds(1))}) {
            assertThatThrownBy(() -> Server.listen(ANY_PORT).heartbeat(heartbeat).start())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(ANY_PORT.toString())
                    .hasMessageContaining("a silent peer's session ends after the session timeout")
                    .hasMessageContaining("--session-timeout");
        }
        assertThatThrownBy(() -> Server.listen(ANY_PORT).outbound(OutboundLimit.of(4096, 10, OutboundLimit.Overflow.DROP))
                .start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("are not queued: each datagram is sent at once").hasMessageContaining("--on-slow-reader");
    }

    @Test
    void besideATcpEndpointAnIdleTimeoutAppliesToItAndTheServerStarts() throws Exception {
        try (Server server = Server.listen(Endpoint.parse("tcp://127.0.0.1:0"), ANY_PORT)
                .heartbeat(Heartbeat.DEFAULT.idleTimeout(Duration.ofSeconds(30))).start()) {
            assertThat(server.endpoints()).hasSize(2);
        }
    }

    @Test
    void refusesTheLinesFramingAndSaysWhy() {
        assertThatThrownBy(() -> Server.listen(Endpoint.parse("udp://127.0.0.1:8001")).framing(Lines.defaults()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the lines framing does not apply to udp://127.0.0.1:8001: over UDP each datagram is one"
                        + " message, so there is nothing to frame (leave the framing out, or choose raw)");
    }

    @Test
    void takesTheRawFramingWhichMeansTheSame() throws Exception {
        try (Server server = Server.listen(ANY_PORT).framing(Raw.bytes()).handler(Handlers.echo()).start();
             UdpPeer peer = UdpPeer.to(server)) {
            assertThat(peer.ask("as is\n")).isEqualTo("as is\n");
        }
    }

    @Test
    void tellsTheFiveFacts() throws Exception {
        BlockingQueue<Connection> accepted = new LinkedBlockingQueue<>();
        Handler remember = connection -> {
            accepted.add(connection);
            Handlers.echo().handle(connection);
        };
        try (Server server = Server.listen(ANY_PORT).handler(remember).start(); UdpPeer peer = UdpPeer.to(server)) {
            peer.ask("x");
            Connection session = Received.next(accepted);
            assertThat(session.protocol()).isEqualTo("udp");
            assertThat(session.local()).isEqualTo(new InetSocketAddress("127.0.0.1", server.port()));
            assertThat(session.remote()).isEqualTo(peer.local());
            assertThat(session.stats().messagesIn()).isEqualTo(1);
            assertThat(session.stats().bytesIn()).isEqualTo(1);
        }
    }

    @Test
    void refusesASecondServerOnTheSamePort() throws Exception {
        try (Server first = Server.listen(ANY_PORT).start()) {
            Endpoint same = first.endpoint();
            assertThatThrownBy(() -> Server.listen(same).start())
                    .isInstanceOf(IOException.class)
                    .hasMessageStartingWith("cannot listen on " + same + ": address already in use");
        }
    }

    @Test
    void freesThePortWhenItStops() throws Exception {
        Server server = Server.listen(ANY_PORT).handler(Handlers.echo()).start();
        try (UdpPeer peer = UdpPeer.to(server)) {
            assertThat(peer.ask("x")).isEqualTo("x");
        }
        server.close();
        assertThat(server.connections()).isEmpty();
        try (DatagramSocket again = new DatagramSocket(new InetSocketAddress("127.0.0.1", server.port()))) {
            assertThat(again.getLocalPort()).isEqualTo(server.port());
        }
    }

    @Test
    void leavesPeersOverTheLimitUnanswered() throws Exception {
        try (Server server = Server.listen(ANY_PORT).maxConnections(1).handler(Handlers.ack("ok")).start();
             UdpPeer admitted = UdpPeer.to(server);
             UdpPeer turnedAway = UdpPeer.to(server)) {
            assertThat(admitted.ask("a")).isEqualTo("ok");
            turnedAway.send("b");
            Await.until(() -> server.rejectedCount() == 1, "the second peer is turned away");
            turnedAway.socket.setSoTimeout(200);
            assertThatThrownBy(turnedAway::receive).isInstanceOf(SocketTimeoutException.class);
            assertThat(admitted.ask("c")).isEqualTo("ok");
        }
    }

    @Test
    void countsBytesAndMessagesOut() throws Exception {
        BlockingQueue<Connection> accepted = new LinkedBlockingQueue<>();
        Handler remember = connection -> {
            accepted.add(connection);
            Handlers.echo().handle(connection);
        };
        try (Server server = Server.listen(ANY_PORT).handler(remember).start(); UdpPeer peer = UdpPeer.to(server)) {
            peer.ask("four");
            Connection session = Received.next(accepted);
            Await.until(() -> session.stats().bytesOut() == 4, "the echo is counted");
            assertThat(session.stats().messagesOut()).isEqualTo(1);
        }
    }
}
