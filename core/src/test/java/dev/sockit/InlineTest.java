package dev.sockit;

import static dev.sockit.TestKit.awaitUntil;
import static dev.sockit.TestKit.onLoopback;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.TestKit.Peer;
import dev.sockit.transport.Drainable;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A busy TCP or WebSocket connection served by one of the everyday handlers that never wait
 * ({@link Handlers#echo}, {@link Handlers#ack}) is served in line: from its second message on,
 * once its reader finds nothing to read it goes into the waiting room at once, and the room's thread reads, answers
 * and writes its messages there, without a thread of its own. The room's delay here is 30 s,
 * so a connection found waiting within these tests' patience got there in line, not by
 * silence. What the room cannot finish without waiting goes back to a thread: a partial
 * message, replies the socket cannot take, a line too long, the peer's end.
 */
class InlineTest {

    private static final Duration LONG_DELAY = Duration.ofSeconds(30);

    private final Map<Long, CloseReason> closes = new ConcurrentHashMap<>();

    private Server.Builder server(Handler handler) {
        return server(onLoopback(), handler);
    }

    /** {@code listening}, serving {@code handler}, its room's delay 30 s, its closes recorded. */
    private Server.Builder server(Server.Builder listening, Handler handler) {
        return listening.waitAfter(LONG_DELAY).handler(handler).observer(new Observer() {
            @Override
            public void closed(Connection connection, CloseReason reason) {
                closes.put(connection.id(), reason);
            }
        });
    }

    private static Drainable only(Server server) {
        return WaitingRoomTest.only(server);
    }

    /** In the room, and no thread of its handler (between messages, or served there), long before its delay. */
    private static void awaitInRoom(Drainable connection) {
        awaitUntil("the connection waits in the room without a thread, long before the room's delay",
                () -> WaitingRoomTest.waiting(connection));
    }

    @Test
    void aBusyConnectionWaitsWithoutAThreadBetweenMessagesAndEachIsAnswered() throws Exception {
        try (Server server = server(Handlers.echo()).start(); Peer peer = Peer.connect(server)) {
            Drainable connection = only(server);
            for (int i = 0; i < 20; i++) {
                assertThat(peer.ask("message " + i)).isEqualTo("message " + i);
            }
            awaitInRoom(connection);
            for (int i = 0; i < 20; i++) {
                assertThat(peer.ask("again " + i)).isEqualTo("again " + i);
                awaitInRoom(connection);
            }
            peer.write("a\nb\nc\n");
            assertThat(peer.readLines(3)).containsExactly("a", "b", "c");
            assertThat(connection.stats().messagesIn()).isEqualTo(43);
            assertThat(connection.stats().messagesOut()).isEqualTo(43);
        }
    }

    @Test
    void theWalkThroughsAckIsServedInLineToo() throws Exception {
        try (Server server = server(Handlers.ack(Handlers.ACK_REPLY)).start(); Peer peer = Peer.connect(server)) {
            Drainable connection = only(server);
            assertThat(peer.ask("hello")).isEqualTo(Handlers.ACK_REPLY);
            assertThat(peer.ask("hello")).isEqualTo(Handlers.ACK_REPLY);
            awaitInRoom(connection);
            assertThat(peer.ask("and now?")).isEqualTo(Handlers.ACK_REPLY);
        }
    }

    @Test
    void aLineSplitAcrossReadsIsAnsweredWhole() throws Exception {
        try (Server server = server(Handlers.echo()).start(); Peer peer = Peer.connect(server)) {
            Drainable connection = only(server);
            assertThat(peer.ask("first")).isEqualTo("first");
            assertThat(peer.ask("second")).isEqualTo("second");
            awaitInRoom(connection);
            peer.write("one\nhalf a ");
            assertThat(peer.readLine()).isEqualTo("one");
            peer.write("line\n");
            assertThat(peer.readLine()).isEqualTo("half a line");
            awaitInRoom(connection);
            assertThat(peer.ask("last")).isEqualTo("last");
        }
    }

    @Test
    void aLineTooLongIsRefusedAndTheServerServesOthers() throws Exception {
        try (Server server = server(Handlers.echo()).start(); Peer other = Peer.connect(server)) {
            assertThat(other.ask("before")).isEqualTo("before");
            try (Peer peer = Peer.connect(server)) {
                awaitUntil("two connections", () -> server.connections().size() == 2);
                assertThat(peer.ask("short")).isEqualTo("short");
                assertThat(peer.ask("short")).isEqualTo("short");
                Drainable connection = server.connections().stream().map(c -> (Drainable) c)
                        .filter(c -> c.stats().bytesIn() == 12).findFirst().orElseThrow();
                awaitInRoom(connection);
                peer.write("x".repeat(70_000));
                assertThat(peer.readUntilEnd()).containsExactly("error: line longer than 65536 bytes");
                awaitUntil("its close was reported", () -> closes.containsKey(connection.id()));
                assertThat(closes.get(connection.id()).code()).isEqualTo(CloseReason.Code.PROTOCOL_ERROR);
            }
            assertThat(other.ask("after")).isEqualTo("after");
        }
    }

    /**
     * A peer that sends without reading: the replies outgrow what its socket takes, the room's
     * write stops short, and a thread writes the rest, waiting for the peer. Every reply arrives,
     * in order, once the peer reads.
     */
    @Test
    void repliesTheSocketCannotTakeAtOnceAllArriveInOrder() throws Exception {
        int lines = 40_000;
        String padding = "x".repeat(90);
        try (Server server = server(Handlers.echo()).start(); Socket socket = new Socket()) {
            socket.setReceiveBufferSize(8 * 1024); // before connecting, so the window stays small
            socket.setSoTimeout((int) TestKit.PATIENCE.toMillis());
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()));
            OutputStream out = socket.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            out.write("hello\n".getBytes(StandardCharsets.UTF_8));
            assertThat(in.readLine()).isEqualTo("hello");
            out.write("again\n".getBytes(StandardCharsets.UTF_8));
            assertThat(in.readLine()).isEqualTo("again");
            Drainable connection = only(server);
            awaitInRoom(connection);
            CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < lines; i++) {
                        out.write((i + " " + padding + "\n").getBytes(StandardCharsets.UTF_8));
                    }
                    out.flush();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            awaitUntil("a thread writes what the room could not", () -> connection.handlerThread() != null);
            for (int i = 0; i < lines; i++) {
                assertThat(in.readLine()).isEqualTo(i + " " + padding);
            }
            sent.get(TestKit.PATIENCE.toSeconds(), TimeUnit.SECONDS);
            out.write("done\n".getBytes(StandardCharsets.UTF_8));
            assertThat(in.readLine()).isEqualTo("done");
            awaitInRoom(connection);
        }
    }

    /**
     * A read of empty lines answered with acks makes thirty times its size in replies, in one
     * pass of the room's thread: they must neither stall it (a write buffer grown by each
     * reply's length would be copied tens of thousands of times) nor be lost.
     */
    @Test
    void aFloodOfEmptyLinesIsAnsweredWholeAndOthersAreServed() throws Exception {
        int lines = 300_000;
        try (Server server = server(Handlers.ack(Handlers.ACK_REPLY)).start(); Peer other = Peer.connect(server);
             Peer flooding = Peer.connect(server)) {
            assertThat(flooding.ask("one")).isEqualTo(Handlers.ACK_REPLY);
            assertThat(flooding.ask("two")).isEqualTo(Handlers.ACK_REPLY);
            CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                try {
                    byte[] newlines = new byte[64 * 1024];
                    java.util.Arrays.fill(newlines, (byte) '\n');
                    for (int left = lines; left > 0; left -= newlines.length) {
                        flooding.write(java.util.Arrays.copyOf(newlines, Math.min(left, newlines.length)));
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            assertThat(other.ask("meanwhile")).isEqualTo(Handlers.ACK_REPLY);
            for (int i = 0; i < lines; i++) {
                assertThat(flooding.readLine()).isEqualTo(Handlers.ACK_REPLY);
            }
            sent.get(TestKit.PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(flooding.ask("after")).isEqualTo(Handlers.ACK_REPLY);
            assertThat(other.ask("after")).isEqualTo(Handlers.ACK_REPLY);
        }
    }

    @Test
    void thePeersEndAndAPushReachAConnectionServedInLine() throws Exception {
        try (Server server = server(Handlers.echo()).start()) {
            Peer peer = Peer.connect(server);
            Drainable connection = only(server);
            assertThat(peer.ask("first")).isEqualTo("first");
            assertThat(peer.ask("second")).isEqualTo("second");
            awaitInRoom(connection);
            assertThat(server.broadcast(Message.of("to all"))).isEqualTo(1);
            assertThat(peer.readLine()).isEqualTo("to all");
            assertThat(peer.ask("third")).isEqualTo("third");
            awaitInRoom(connection);
            peer.close();
            awaitUntil("its close was reported", () -> closes.containsKey(connection.id()));
            assertThat(closes.get(connection.id()).code()).isEqualTo(CloseReason.Code.PEER_CLOSED);
            assertThat(List.copyOf(closes.values())).hasSize(1);
        }
    }

    @Test
    void anUpgradedWebSocketIsServedInLineItsTextBinaryAndCloseAnswered() throws Exception {
        try (Server server = server(Server.listen(Endpoint.parse("ws://127.0.0.1:0/echo")), Handlers.echo()).start();
             Connection client = Client.connect(Endpoint.parse("ws://127.0.0.1:" + server.port() + "/echo"))
                     .receiveTimeout(TestKit.PATIENCE).open()) {
            Drainable connection = only(server);
            for (String text : List.of("first", "second", "third")) {
                client.send(text);
                assertThat(client.receive().text()).isEqualTo(text);
            }
            awaitInRoom(connection);
            byte[] bytes = {0, 1, (byte) 0xff};
            client.send(Message.of(bytes));
            assertThat(client.receive().bytes()).isEqualTo(bytes);
            client.send("é".repeat(10_000)); // 20,000 bytes: more than one read may bring
            assertThat(client.receive().text()).isEqualTo("é".repeat(10_000));
            awaitInRoom(connection);
            client.close();
            awaitUntil("its close was reported", () -> closes.containsKey(connection.id()));
            assertThat(closes.get(connection.id()).code()).isEqualTo(CloseReason.Code.PEER_CLOSED);
        }
    }

    @Test
    void aStopEndsConnectionsServedInLineAtOnce() throws Exception {
        Server server = server(Handlers.echo()).drainTimeout(Duration.ofSeconds(10)).start();
        try (Peer peer = Peer.connect(server)) {
            Drainable connection = only(server);
            assertThat(peer.ask("first")).isEqualTo("first");
            assertThat(peer.ask("second")).isEqualTo("second");
            awaitInRoom(connection);
            long started = System.nanoTime();
            server.close();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
            assertThat(peer.atEndOfStream()).isTrue();
        } finally {
            server.close();
        }
    }
}
