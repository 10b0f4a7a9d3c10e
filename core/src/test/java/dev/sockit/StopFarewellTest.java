package dev.sockit;

import static dev.sockit.TestKit.PATIENCE;
import static dev.sockit.TestKit.awaitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server's graceful stop ends every connection with every reply it wrote, its farewell and
 * then the end of the stream, never a reset, however the peer is found: sending on through the
 * stop, idle in a read, or with replies it has not read yet; served by a thread of its own or
 * waiting in the waiting room; over TCP, TLS and Unix sockets on loopback. The kernel resets a
 * connection closed with input unread, or one whose input was shut down when input arrives
 * after the end of our output (Linux), so the peers here send on until they read the end.
 */
class StopFarewellTest {

    // The linger's bound (Closer), and what a loaded machine may add to it.
    private static final Duration LINGER = Duration.ofSeconds(1);
    private static final Duration MARGIN = Duration.ofSeconds(2);

    enum Kind { TCP, TLS, UNIX }

    @TempDir
    Path dir;
    private Path cert;
    private Path key;
    // Replies the server's handlers wrote (send returned), all connections together.
    private final AtomicLong acked = new AtomicLong();

    @BeforeEach
    void makeCertificate() throws Exception {
        cert = dir.resolve("cert.pem");
        key = dir.resolve("key.pem");
        DevCertificate.builder().create().write(cert, key, false);
    }

    /** Answers each line with "ack LINE" on a thread of its own per connection. */
    private Handler acking() {
        return connection -> {
            for (Message message; (message = connection.receive()) != null; ) {
                connection.send("ack " + message.text());
                acked.incrementAndGet();
            }
        };
    }

    /** As {@link #acking()}, message by message: an idle connection waits in the waiting room. */
    private MessageHandler ackingEach() {
        return (connection, message) -> {
            connection.send("ack " + message.text());
            acked.incrementAndGet();
        };
    }

    @Test
    void aStopWhilePeersSendOnEndsEachWithEveryReplyAndTheEnd() throws Exception {
        for (Kind kind : Kind.values()) {
            stopWhileSending(kind, server(kind).handler(acking()), Duration.ofSeconds(5), false);
        }
    }

    @Test
    void aStopWhilePeersSendOnToConnectionsServedMessageByMessageEndsEachWithEveryReplyAndTheEnd() throws Exception {
        stopWhileSending(Kind.TCP, server(Kind.TCP).waitAfter(Duration.ofMillis(50)).handler(ackingEach()),
                Duration.ofSeconds(5), false);
    }

    @Test
    void aStopWhosePeersHaveNotReadTheirRepliesYetDeliversThemAllThenTheEnd() throws Exception {
        for (Kind kind : Kind.values()) {
            stopWhileSending(kind, server(kind).handler(acking()), Duration.ofSeconds(5), true);
        }
    }

    @Test
    void aStopWithoutDrainTimeElsewhereCutsNoPeerOff() throws Exception {
        // The stop's cut-off comes at once: it closes every connection and interrupts its
        // handler, whose thread waits in its socket's read; that must not close the socket.
        for (Kind kind : Kind.values()) {
            stopWhileSending(kind, server(kind).handler(acking()), Duration.ZERO, false);
            stopWhileSending(kind, server(kind).handler(acking()), Duration.ZERO, true);
        }
        stopWhileSending(Kind.TCP, server(Kind.TCP).waitAfter(Duration.ofMillis(50)).handler(ackingEach()),
                Duration.ZERO, false);
    }

    @Test
    void aStopEndsIdlePeersAndOnesInTheWaitingRoomWithTheEnd() throws Exception {
        for (Kind kind : Kind.values()) {
            stopIdle(kind, server(kind).handler(acking()), false);
        }
        stopIdle(Kind.TCP, server(Kind.TCP).waitAfter(Duration.ofMillis(50)).handler(ackingEach()), true);
    }

    @Test
    void aStopEndsWithinTheLingerWhenPeersNeverEnd() throws Exception {
        for (Kind kind : Kind.values()) {
            Server server = server(kind).handler(acking()).drainTimeout(Duration.ofSeconds(30)).start();
            List<LinePeer> peers = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    LinePeer peer = connect(kind, server);
                    peers.add(peer);
                    peer.writeLine("hello");
                }
                LinePeer sending = peers.getFirst();
                sending.keepSending(); // and never reads, never ends
                sending.awaitSent(20);
                awaitUntil("both connections served", () -> server.stats().messagesIn() >= 2);
                long started = System.nanoTime();
                server.close();
                Duration took = Duration.ofNanos(System.nanoTime() - started);
                assertThat(took).as(kind + ": the stop, bounded by the linger, not the drain timeout")
                        .isLessThan(LINGER.plus(MARGIN));
            } finally {
                server.close();
                for (LinePeer peer : peers) {
                    peer.close();
                }
            }
        }
    }

    /**
     * Peers send a line a millisecond and read the acks (or, {@code readLate}, read nothing
     * until the stop has begun); the server stops with {@code drainTimeout}; each peer reads
     * its acks, in order and without a gap, then the end of the stream, and its sending never
     * breaks; together they read every ack the server wrote.
     */
    private void stopWhileSending(Kind kind, Server.Builder builder, Duration drainTimeout, boolean readLate)
            throws Exception {
        acked.set(0);
        List<LinePeer> peers = new ArrayList<>();
        Server server = builder.drainTimeout(drainTimeout).start();
        String as = kind + (readLate ? ", replies unread" : "") + ", drain timeout " + drainTimeout;
        try {
            for (int i = 0; i < 3; i++) {
                LinePeer peer = connect(kind, server);
                peers.add(peer);
                peer.keepSending();
                if (!readLate) {
                    peer.startReading();
                }
            }
            for (LinePeer peer : peers) {
                peer.awaitSent(50);
            }
            awaitUntil(as + ": acks written", () -> acked.get() >= 30);
            Thread stopping = Thread.ofVirtual().start(server::close);
            awaitUntil("the stop began", server::isClosing);
            for (LinePeer peer : peers) {
                peer.startReading(); // no-op for those reading already
            }
            long read = 0;
            for (LinePeer peer : peers) {
                List<String> replies = peer.awaitEnd(as);
                for (int i = 0; i < replies.size(); i++) {
                    assertThat(replies.get(i)).as(as + ": every ack, in order").isEqualTo("ack more " + i);
                }
                assertThat(peer.sendFailure()).as(as + ": the peer's sending broke").isNull();
                read += replies.size();
            }
            assertThat(stopping.join(PATIENCE)).as(as + ": the stop ended").isTrue();
            assertThat(read).as(as + ": the acks the peers read, against those the server wrote").isEqualTo(acked.get());
        } finally {
            server.close();
            for (LinePeer peer : peers) {
                peer.close();
            }
        }
    }

    /**
     * A peer said hello, read its ack and waits in a read; or, {@code inRoom}, said nothing
     * yet, and its connection waits in the waiting room without a thread: the stop's end
     * reaches it as such.
     */
    private void stopIdle(Kind kind, Server.Builder builder, boolean inRoom) throws Exception {
        List<LinePeer> peers = new ArrayList<>();
        Server server = builder.start();
        try {
            for (int i = 0; i < 3; i++) {
                LinePeer peer = connect(kind, server);
                peers.add(peer);
                peer.startReading();
                if (!inRoom) {
                    peer.writeLine("hello " + i);
                    awaitUntil(kind + ": the ack", () -> peer.received() == 1);
                }
            }
            if (inRoom) {
                awaitUntil("every connection waits in the waiting room without a thread", () ->
                        server.connections().size() == peers.size() && server.connections().stream().allMatch(c ->
                                ((dev.sockit.transport.SocketConnection) c).waitsWithoutThread()
                                        && ((dev.sockit.transport.Drainable) c).handlerThread() == null));
            }
            server.close();
            for (int i = 0; i < peers.size(); i++) {
                List<String> lines = peers.get(i).awaitEnd(kind.name());
                if (inRoom) {
                    assertThat(lines).isEmpty();
                } else {
                    assertThat(lines).containsExactly("ack hello " + i);
                }
            }
        } finally {
            server.close();
            for (LinePeer peer : peers) {
                peer.close();
            }
        }
    }

    private Server.Builder server(Kind kind) {
        return switch (kind) {
            case TCP -> Server.listen(Endpoint.parse("tcp://127.0.0.1:0"));
            case TLS -> Server.listen(Endpoint.parse("tls://127.0.0.1:0")).tls(Tls.server(cert, key));
            case UNIX -> Server.listen(Endpoint.parse("unix:" + dir.resolve("s" + System.nanoTime() + ".sock")));
        };
    }

    private LinePeer connect(Kind kind, Server server) throws Exception {
        return switch (kind) {
            case TCP -> LinePeer.over(new Socket("127.0.0.1", server.port()));
            case TLS -> LinePeer.over(TestKit.jdkTlsClient(cert, server.port()));
            case UNIX -> LinePeer.overUnix(server.endpoint().path());
        };
    }
}
