package dev.sockit;

import static dev.sockit.TestKit.PATIENCE;
import static dev.sockit.TestKit.awaitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.transport.Drainable;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A connection that closes while its peer is still sending: the peer reads everything it was
 * sent, the farewell, then the end of the stream, never "connection reset". The kernel resets a
 * connection closed with input unread, so each case leaves the peer's bytes unread at the close
 * (the handler is away from its socket while they arrive), over real sockets on loopback.
 */
class FarewellTest {

    private static final CloseReason KICKED = CloseReason.of(CloseReason.Code.KICKED, "kicked: bye");
    // The linger's bound (Closer), and what a loaded machine may add to it.
    private static final Duration LINGER = Duration.ofSeconds(1);
    private static final Duration MARGIN = Duration.ofSeconds(2);

    enum Kind { TCP, TLS, UNIX }

    @TempDir
    Path dir;
    private Path cert;
    private Path key;

    @BeforeEach
    void makeCertificate() throws Exception {
        cert = dir.resolve("cert.pem");
        key = dir.resolve("key.pem");
        DevCertificate.builder().create().write(cert, key, false);
    }

    @Test
    void aCloseFromAnotherThreadLetsThePeerReadAllItWasSentTheFarewellAndTheEnd() throws Exception {
        for (Kind kind : Kind.values()) {
            Away away = new Away();
            try (Server server = server(kind).handler(away).start(); LinePeer peer = connect(kind, server)) {
                peer.writeLine("hello");
                Connection served = away.arrived();
                peer.keepSending();
                peer.awaitSent(20); // piling up unread: the handler is away
                for (int i = 0; i < 1000; i++) {
                    served.send("line " + i);
                }
                served.close(KICKED);
                away.comeBack();
                assertThat(peer.readToEnd()).as(kind.name()).hasSize(1001).startsWith("line 0", "line 1")
                        .endsWith("line 999", "error: kicked: bye");
                peer.end();
                assertThat(peer.sendFailure()).as(kind + ": the peer's sending broke").isNull();
            }
        }
    }

    @Test
    void aKickWhileTheClientsInputIsInFlightReachesTheClientAsItsReasonNotAsAReset() throws Exception {
        Away away = new Away();
        try (Server server = server(Kind.TCP).handler(away).start();
             Connection client = Client.connect(Endpoint.parse("tcp://127.0.0.1:" + server.port())).open()) {
            client.send("hello");
            Connection served = away.arrived();
            AtomicLong sent = new AtomicLong();
            AtomicReference<Throwable> sendFailure = new AtomicReference<>();
            Thread sender = Thread.ofVirtual().start(() -> {
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        client.send("more " + sent.getAndIncrement());
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                    }
                } catch (IOException e) {
                    sendFailure.set(e);
                }
            });
            try {
                awaitUntil("the client sent 20 lines the server has not read", () -> sent.get() >= 20);
                served.close(KICKED);
                away.comeBack();
                List<String> received = new ArrayList<>();
                for (Message message; (message = client.receive()) != null; ) {
                    received.add(message.text());
                }
                assertThat(received).containsExactly("error: kicked: bye");
                assertThat(client.closeReason()).as("the client's end: the server's FIN, not a reset")
                        .satisfiesAnyOf(reason -> assertThat(reason).isNull(),
                                reason -> assertThat(reason.code()).isNotEqualTo(CloseReason.Code.BROKEN));
            } finally {
                sender.interrupt();
                sender.join(PATIENCE);
            }
        }
    }

    @Test
    void aStopWhileClientsAreSendingAnswersWhatItReadThenEndsEveryStream() throws Exception {
        for (Kind kind : new Kind[] {Kind.TCP, Kind.TLS}) {
            // Away from its socket until the stop begins, so that the drain finds input waiting,
            // and the peers send on after it.
            Handler slow = connection -> {
                Drainable drainable = (Drainable) connection;
                for (Message message; (message = connection.receive()) != null; ) {
                    connection.send("ack " + message.text());
                    while (drainable.drainReason() == null) {
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                    }
                }
                // Ended by the stop, which closes it next: with input unread, as the peer sends on.
                awaitUntil("the peer's input unread as the stop closes", () -> unread(connection) > 0);
            };
            List<LinePeer> peers = new ArrayList<>();
            Server server = server(kind).handler(slow).drainTimeout(Duration.ofSeconds(5)).start();
            try {
                for (int i = 0; i < 3; i++) {
                    LinePeer peer = connect(kind, server);
                    peers.add(peer);
                    peer.keepSending();
                    peer.awaitSent(20);
                }
                // Each peer reads as it would on its own, while the stop waits for their ends.
                List<java.util.concurrent.Future<List<String>>> ends = new ArrayList<>();
                try (var readers = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                    for (LinePeer peer : peers) {
                        ends.add(readers.submit(() -> {
                            List<String> replies = peer.readToEnd();
                            peer.end();
                            return replies;
                        }));
                    }
                    server.close();
                    for (int p = 0; p < peers.size(); p++) {
                        List<String> replies = ends.get(p).get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
                        assertThat(replies).as(kind.name()).isNotEmpty();
                        for (int i = 0; i < replies.size(); i++) {
                            assertThat(replies.get(i)).as(kind + ": every reply, in order").isEqualTo("ack more " + i);
                        }
                        assertThat(peers.get(p).sendFailure()).as(kind + ": the peer's sending broke").isNull();
                    }
                }
            } finally {
                server.close();
                for (LinePeer peer : peers) {
                    peer.close();
                }
            }
        }
    }

    @Test
    void aHandlerThatEndsWithInputUnreadEndsThePeersStreamWithoutAReset() throws Exception {
        for (Kind kind : Kind.values()) {
            AtomicReference<LinePeer> wire = new AtomicReference<>();
            Handler leaves = connection -> {
                connection.receive();
                // Then it returns, its peer's lines unread: the server closes it here. Unix
                // sockets cannot be asked what waits unread, but keep what was sent, unread.
                wire.get().awaitSent(20);
                if (kind != Kind.UNIX) {
                    awaitUntil("the peer's lines unread", () -> unread(connection) > 0);
                }
            };
            try (Server server = server(kind).handler(leaves).start(); LinePeer peer = connect(kind, server)) {
                wire.set(peer);
                peer.writeLine("hello");
                peer.keepSending();
                assertThat(peer.readToEnd()).as(kind.name()).isEmpty();
                peer.end();
                assertThat(peer.sendFailure()).as(kind + ": the peer's sending broke").isNull();
            }
        }
    }

    @Test
    void aPeerThatNeverEndsIsClosedOnceTheLingerIsOver() throws Exception {
        Away away = new Away();
        try (Server server = server(Kind.TCP).handler(away).start(); LinePeer peer = connect(Kind.TCP, server)) {
            try {
                peer.writeLine("hello");
                Connection served = away.arrived();
                peer.writeLine("unread");
                awaitUntil("the server holds the peer's line unread", () -> unread(served) > 0);
                long closed = System.nanoTime();
                served.close(KICKED);
                // The handler stays away: no reader finishes the close, the timer does.
                assertThat(peer.readToEnd()).containsExactly("error: kicked: bye");
                assertThat(peer.awaitCut(closed, LINGER.plus(MARGIN))).as("closed by the timer, after the linger's second")
                        .isGreaterThanOrEqualTo(LINGER.minusMillis(100));
            } finally {
                away.comeBack();
            }
        }
    }

    @Test
    void aPeerThatFloodsWhileTheCloseLingersIsCutAfterAMebibyte() throws Exception {
        Away away = new Away();
        try (Server server = server(Kind.TCP).handler(away).start(); LinePeer peer = connect(Kind.TCP, server)) {
            peer.writeLine("hello");
            Connection served = away.arrived();
            peer.flood();
            awaitUntil("the server holds the flood unread", () -> unread(served) > 0);
            long closed = System.nanoTime();
            served.close(KICKED);
            away.comeBack();
            assertThat(peer.readToEnd()).containsExactly("error: kicked: bye");
            assertThat(peer.awaitCut(closed, LINGER.plus(MARGIN))).as("the flood cut, within the linger's second")
                    .isLessThan(LINGER.plus(MARGIN));
        }
    }

    private static long unread(Connection connection) {
        return ((dev.sockit.transport.SocketConnection) connection).unreadBytes();
    }

    private Server.Builder server(Kind kind) {
        return switch (kind) {
            case TCP -> Server.listen(Endpoint.parse("tcp://127.0.0.1:0"));
            case TLS -> Server.listen(Endpoint.parse("tls://127.0.0.1:0")).tls(Tls.server(cert, key));
            case UNIX -> Server.listen(Endpoint.parse("unix:" + dir.resolve("s.sock")));
        };
    }

    private LinePeer connect(Kind kind, Server server) throws Exception {
        return switch (kind) {
            case TCP -> LinePeer.over(new Socket("127.0.0.1", server.port()));
            case TLS -> LinePeer.over(TestKit.jdkTlsClient(cert, server.port()));
            case UNIX -> LinePeer.overUnix(server.endpoint().path());
        };
    }

    /**
     * A handler that takes the first message, then stays away from its socket until the test
     * lets it come back, and reads on to the end.
     */
    private static final class Away implements Handler {
        private final AtomicReference<Connection> served = new AtomicReference<>();
        private final CountDownLatch arrived = new CountDownLatch(1);
        private final CountDownLatch back = new CountDownLatch(1);

        @Override
        public void handle(Connection connection) throws Exception {
            connection.receive();
            served.set(connection);
            arrived.countDown();
            back.await();
            while (connection.receive() != null) {
                // what came before the close, if anything was whole; then the end
            }
        }

        Connection arrived() throws InterruptedException {
            assertThat(arrived.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).as("the handler's first message").isTrue();
            return served.get();
        }

        void comeBack() {
            back.countDown();
        }
    }
}
