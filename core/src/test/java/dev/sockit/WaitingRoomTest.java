package dev.sockit;

import static dev.sockit.TestKit.awaitUntil;
import static dev.sockit.TestKit.onLoopback;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.TestKit.Peer;
import dev.sockit.transport.Drainable;
import dev.sockit.transport.SocketConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A TCP connection served by a {@link MessageHandler} waits without a thread once its peer
 * has been silent for the server's delay (100 ms here, 1 s by default), in the server's
 * waiting room. Whatever can happen to a connection must happen to one that waits there:
 * input, the peer's end or reset, a push, an idle timeout, a kick, a stop.
 */
class WaitingRoomTest {

    private static final Duration DELAY = Duration.ofMillis(100);

    /** Closes seen by the observer, by connection id. */
    private final Map<Long, List<CloseReason>> closes = new ConcurrentHashMap<>();
    /** The connections {@link #careful()}'s handler is running for, and the messages it met running twice for one. */
    private final Set<Long> inside = ConcurrentHashMap.newKeySet();
    private final List<String> overlaps = Collections.synchronizedList(new ArrayList<>());

    /**
     * An echo that notes any message it handles while it is handling another of the same
     * connection. Per connection, as the promise is: the last reply of one round can reach the
     * peer before its handler has returned, while the next round's connection is served already.
     */
    private MessageHandler careful() {
        return (connection, message) -> {
            boolean alone = inside.add(connection.id());
            if (!alone) {
                overlaps.add(message.text());
            }
            try {
                connection.send(message);
            } finally {
                if (alone) {
                    inside.remove(connection.id());
                }
            }
        };
    }

    /** An observer that records every close in {@link #closes}. */
    private Observer recording() {
        return new Observer() {
            @Override
            public void closed(Connection connection, CloseReason reason) {
                record(connection, reason);
            }
        };
    }

    private Server.Builder echoServer() {
        return echoServer(onLoopback());
    }

    /** {@code listening}, an echo server that waits after {@link #DELAY}, its closes recorded. */
    private Server.Builder echoServer(Server.Builder listening) {
        return listening.waitAfter(DELAY).handler(Handlers.echo()).observer(recording());
    }

    /**
     * Records a close: the list appears with its first reason in it, so that a test awaiting
     * the key never finds it empty.
     */
    private void record(Connection connection, CloseReason reason) {
        closes.compute(connection.id(), (id, reasons) -> {
            List<CloseReason> all = reasons != null ? reasons : new CopyOnWriteArrayList<>();
            all.add(reason);
            return all;
        });
    }

    /** The server's one connection, once it has one; {@link InlineTest} asks too. */
    static Drainable only(Server server) {
        awaitUntil("one connection", () -> server.connections().size() == 1);
        return (Drainable) server.connections().iterator().next();
    }

    /** True when the connection waits in the room, and its server knows no thread of its handler. */
    static boolean waiting(Drainable connection) {
        return ((SocketConnection) connection).waitsWithoutThread() && connection.handlerThread() == null;
    }

    /** True when the connection's handler runs on a live thread. */
    private static boolean served(Drainable connection) {
        Thread handler = connection.handlerThread();
        return handler != null && handler.isAlive() && !((SocketConnection) connection).waitsWithoutThread();
    }

    /** The server's one connection, once it waits without a thread. */
    private static Drainable waitingOne(Server server) {
        Drainable connection = only(server);
        awaitUntil("the connection waits without a thread", () -> waiting(connection));
        return connection;
    }

    /** How {@code connection} closed, once reported; it must close once. */
    private CloseReason.Code closeOf(Drainable connection) {
        awaitUntil("its close was reported", () -> closes.containsKey(connection.id()));
        assertThat(closes.get(connection.id())).hasSize(1);
        return closes.get(connection.id()).getFirst().code();
    }

    private static void awaitWaiting(Server server) {
        awaitUntil("every connection waits without a thread",
                () -> server.connections().stream().allMatch(c -> waiting((Drainable) c)));
    }

    /** The delay of the tests of a reader parked in the room: long enough never to pass in them. */
    private static final Duration LONG_DELAY = Duration.ofSeconds(30);

    /** True when the connection waits in the room with its reader parked there, within the delay. */
    private static boolean parkedInRoom(Drainable connection) {
        Thread reader = connection.handlerThread();
        return ((SocketConnection) connection).waitsWithoutThread() && reader != null && reader.isAlive();
    }

    /** The server's one connection, once it waits in the room with its reader parked there. */
    private static Drainable parkedOne(Server server) {
        Drainable connection = only(server);
        awaitUntil("the connection waits in the room, its reader parked", () -> parkedInRoom(connection));
        return connection;
    }

    /**
     * An echo server whose handler is not one the room serves in line ({@link InlineTest}): a
     * connection whose reader is parked in the room keeps that reader between quick messages.
     */
    private Server.Builder parkingEchoServer() {
        return echoServer().waitAfter(LONG_DELAY).handler(careful());
    }

    @Test
    void aNewConnectionWaitsInTheRoomFromTheStartAndTheThreadThatWaitedReadsItsFirstMessage() throws Exception {
        try (Server server = parkingEchoServer().start(); Peer peer = Peer.connect(server)) {
            Drainable connection = parkedOne(server);
            Thread reader = connection.handlerThread();
            assertThat(peer.ask("first")).isEqualTo("first");
            assertThat(connection.handlerThread()).isSameAs(reader);
            assertThat(peer.ask("second")).isEqualTo("second");
            assertThat(connection.handlerThread()).isSameAs(reader);
            assertThat(reader.isAlive()).isTrue();
        }
    }

    @Test
    void aPushToAParkedReadersConnectionArrivesAndTheReaderWaitsOnInTheRoom() throws Exception {
        try (Server server = parkingEchoServer().start(); Peer peer = Peer.connect(server)) {
            Drainable connection = parkedOne(server);
            Thread reader = connection.handlerThread();
            connection.send("pushed");
            assertThat(peer.readLine()).isEqualTo("pushed");
            awaitUntil("the reader parks in the room again", () -> parkedInRoom(connection));
            assertThat(server.broadcast(Message.of("to all"))).isEqualTo(1);
            assertThat(peer.readLine()).isEqualTo("to all");
            assertThat(peer.ask("still served")).isEqualTo("still served");
            assertThat(connection.handlerThread()).isSameAs(reader);
        }
    }

    @Test
    void aKickClosesAConnectionWhoseReaderIsParkedAndTellsThePeer() throws Exception {
        try (Server server = echoServer().waitAfter(LONG_DELAY).start(); Peer peer = Peer.connect(server)) {
            Drainable connection = parkedOne(server);
            connection.close(CloseReason.of(CloseReason.Code.KICKED, "kicked"));
            assertThat(peer.readLine()).isEqualTo("error: kicked");
            assertThat(peer.atEndOfStream()).isTrue();
            assertThat(closeOf(connection)).isEqualTo(CloseReason.Code.KICKED);
        }
    }

    @Test
    void thePeersEndAndAStopAreSeenByAParkedReaderAtOnce() throws Exception {
        Server server = echoServer().waitAfter(LONG_DELAY).drainTimeout(Duration.ofSeconds(10)).start();
        try (Peer leaving = Peer.connect(server)) {
            Drainable first = parkedOne(server);
            leaving.close();
            assertThat(closeOf(first)).isEqualTo(CloseReason.Code.PEER_CLOSED);
            try (Peer staying = Peer.connect(server)) {
                parkedOne(server);
                long started = System.nanoTime();
                server.close();
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
                assertThat(staying.atEndOfStream()).isTrue();
            }
        } finally {
            server.close();
        }
    }

    @Test
    void firstMessagesAtEveryMomentAroundTheDelayAreAnsweredOnceByOneThreadAtATime() throws Exception {
        java.util.Random jitter = new java.util.Random(17);
        try (Server server = onLoopback().waitAfter(Duration.ofMillis(5)).handler(careful()).observer(recording()).start()) {
            for (int round = 0; round < 150; round++) {
                try (Peer peer = Peer.connect(server)) {
                    // Before, at and after the delay: the parked reader takes it, or a new thread does.
                    java.util.concurrent.locks.LockSupport.parkNanos(jitter.nextInt(10_000_000));
                    assertThat(peer.ask("first " + round)).isEqualTo("first " + round);
                    java.util.concurrent.locks.LockSupport.parkNanos(jitter.nextInt(10_000_000));
                    peer.write("second " + round + "\nthird " + round + "\n");
                    assertThat(peer.readLines(2)).containsExactly("second " + round, "third " + round);
                }
            }
            awaitUntil("every connection ended", () -> server.connections().isEmpty());
            awaitUntil("every close was reported", () -> closes.size() == 150);
            assertThat(closes.values()).allSatisfy(reasons -> assertThat(reasons).hasSize(1));
            assertThat(overlaps).isEmpty();
        }
    }

    @Test
    void anUpgradedWebSocketWaitsWithoutAThreadAndItsTextAndBinaryMessagesAreAnswered() throws Exception {
        try (Server server = echoServer(Server.listen(Endpoint.parse("ws://127.0.0.1:0/echo"))).start();
             Connection client = Client.connect(Endpoint.parse("ws://127.0.0.1:" + server.port() + "/echo"))
                     .receiveTimeout(Duration.ofSeconds(10)).open()) {
            Drainable connection = only(server);
            awaitUntil("the upgraded connection waits without a thread", () -> waiting(connection));
            client.send("first");
            assertThat(client.receive().text()).isEqualTo("first");
            awaitUntil("it waits again", () -> waiting(connection));
            byte[] bytes = {0, 1, (byte) 0xff};
            client.send(Message.of(bytes));
            assertThat(client.receive().bytes()).isEqualTo(bytes);
            awaitUntil("and again", () -> waiting(connection));
            client.close();
            assertThat(closeOf(connection)).isEqualTo(CloseReason.Code.PEER_CLOSED);
        }
    }

    @Test
    void aSilentConnectionWaitsWithoutAThreadAndItsNextMessageIsAnswered() throws Exception {
        try (Server server = echoServer().start(); Peer peer = Peer.connect(server)) {
            Drainable connection = only(server);
            awaitUntil("the new connection waits without a thread", () -> waiting(connection));
            assertThat(peer.ask("first")).isEqualTo("first");
            awaitUntil("it waits again", () -> waiting(connection));
            assertThat(peer.ask("second")).isEqualTo("second");
            awaitUntil("and again", () -> waiting(connection));
            assertThat(connection.stats().messagesIn()).isEqualTo(2);
        }
    }

    @Test
    void aConnectionWhosePeerPausesBetweenMessagesWaitsAfterEach() throws Exception {
        try (Server server = echoServer().start(); Peer peer = Peer.connect(server)) {
            Drainable connection = only(server);
            for (int i = 0; i < 3; i++) {
                awaitUntil("it waits", () -> waiting(connection));
                // Two lines in one write: the second is answered from the buffer, after the wake-up.
                peer.write("a" + i + "\nb" + i + "\n");
                assertThat(peer.readLines(2)).containsExactly("a" + i, "b" + i);
            }
        }
    }

    @Test
    void manyWaitingConnectionsAnswerABurstEach() throws Exception {
        List<Peer> peers = new ArrayList<>();
        try (Server server = echoServer().start()) {
            for (int i = 0; i < 50; i++) {
                peers.add(Peer.connect(server));
            }
            awaitUntil("all connected", () -> server.connections().size() == 50);
            awaitWaiting(server);
            StringBuilder burst = new StringBuilder();
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                burst.append("line ").append(i).append('\n');
                lines.add("line " + i);
            }
            for (Peer peer : peers) {
                peer.write(burst.toString());
            }
            for (Peer peer : peers) {
                assertThat(peer.readLines(20)).isEqualTo(lines);
            }
        } finally {
            for (Peer peer : peers) {
                peer.close();
            }
        }
    }

    @Test
    void thePeersEndIsSeenWhileWaiting() throws Exception {
        try (Server server = echoServer().start()) {
            Peer peer = Peer.connect(server);
            Drainable connection = waitingOne(server);
            peer.close();
            assertThat(closeOf(connection)).isEqualTo(CloseReason.Code.PEER_CLOSED);
        }
    }

    @Test
    void thePeersResetIsSeenWhileWaiting() throws Exception {
        try (Server server = echoServer().start()) {
            Peer peer = Peer.connect(server);
            Drainable connection = waitingOne(server);
            peer.socket().setSoLinger(true, 0);
            peer.close();
            assertThat(closeOf(connection)).isEqualTo(CloseReason.Code.BROKEN);
        }
    }

    @Test
    void theIdleTimeoutClosesAWaitingConnection() throws Exception {
        try (Server server = echoServer().heartbeat(Heartbeat.OFF.idleTimeout(Duration.ofMillis(600))).start();
             Peer peer = Peer.connect(server)) {
            Drainable connection = waitingOne(server);
            assertThat(peer.atEndOfStream()).isTrue();
            assertThat(closeOf(connection)).isEqualTo(CloseReason.Code.TIMEOUT);
        }
    }

    @Test
    void aKickClosesAWaitingConnectionAndTellsThePeer() throws Exception {
        try (Server server = echoServer().start(); Peer peer = Peer.connect(server)) {
            Drainable connection = waitingOne(server);
            connection.close(CloseReason.of(CloseReason.Code.KICKED, "kicked"));
            assertThat(peer.readLine()).isEqualTo("error: kicked");
            assertThat(peer.atEndOfStream()).isTrue();
            assertThat(closeOf(connection)).isEqualTo(CloseReason.Code.KICKED);
        }
    }

    @Test
    void aStopEndsWaitingConnectionsAtOnceWithoutTheDrainTimeout() throws Exception {
        Server server = echoServer().drainTimeout(Duration.ofSeconds(10)).start();
        try (Peer first = Peer.connect(server); Peer second = Peer.connect(server)) {
            awaitUntil("both connected", () -> server.connections().size() == 2);
            awaitWaiting(server);
            long started = System.nanoTime();
            server.close();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
            assertThat(first.atEndOfStream()).isTrue();
            assertThat(second.atEndOfStream()).isTrue();
            assertThat(closes.values()).allSatisfy(reasons -> assertThat(reasons).singleElement()
                    .extracting(CloseReason::code).isEqualTo(CloseReason.Code.SHUTDOWN));
        } finally {
            server.close();
        }
    }

    @Test
    void aStopAnswersWhatAWaitingConnectionWasSentFirst() throws Exception {
        Server server = echoServer().start();
        try (Peer peer = Peer.connect(server)) {
            Drainable connection = waitingOne(server);
            peer.write("last words\n");
            server.close();
            assertThat(peer.readUntilEnd()).containsExactly("last words");
        } finally {
            server.close();
        }
    }

    @Test
    void aPushReachesAWaitingConnection() throws Exception {
        try (Server server = echoServer().start(); Peer peer = Peer.connect(server)) {
            Drainable connection = waitingOne(server);
            connection.send("pushed");
            assertThat(peer.readLine()).isEqualTo("pushed");
            awaitUntil("it waits again", () -> waiting(connection));
            assertThat(server.broadcast(Message.of("to all"))).isEqualTo(1);
            assertThat(peer.readLine()).isEqualTo("to all");
            assertThat(peer.ask("still served")).isEqualTo("still served");
        }
    }

    @Test
    void pushesAtEveryMomentOfComingAndGoingAllArriveInOrder() throws Exception {
        try (Server server = onLoopback().waitAfter(Duration.ofMillis(5)).handler(Handlers.echo()).start();
             Peer peer = Peer.connect(server)) {
            Drainable connection = only(server);
            java.util.Random jitter = new java.util.Random(16);
            List<String> pushed = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                // Pauses around the delay, so that pushes meet the connection entering the room,
                // inside it, and leaving it.
                java.util.concurrent.locks.LockSupport.parkNanos(jitter.nextInt(8_000_000));
                connection.send("push " + i);
                pushed.add("push " + i);
            }
            assertThat(peer.readLines(300)).isEqualTo(pushed);
            assertThat(peer.ask("and after")).isEqualTo("and after");
        }
    }

    @Test
    void aConnectionWithAPartialMessageKeepsItsThread() throws Exception {
        try (Server server = echoServer().start(); Peer peer = Peer.connect(server)) {
            Drainable connection = waitingOne(server);
            peer.write("hal");
            awaitUntil("the half line was read", () -> connection.stats().bytesIn() == "hal".length());
            // A silent connection opened after the half line goes in: its silence, shorter than the
            // half line's, was long enough, so the half line's connection would have gone by now.
            try (Peer silent = Peer.connect(server)) {
                awaitUntil("a silent connection opened since waits without a thread", () -> server.connections().stream()
                        .anyMatch(c -> c != connection && waiting((Drainable) c)));
            }
            assertThat(served(connection)).isTrue();
            peer.write("f\n");
            assertThat(peer.readLine()).isEqualTo("half");
        }
    }

    @Test
    void aPlainHandlersLoopKeepsItsThread() throws Exception {
        Handler loop = connection -> {
            for (Message message; (message = connection.receive()) != null; ) {
                connection.send(message);
            }
        };
        try (Server server = onLoopback().waitAfter(DELAY).handler(loop).start(); Peer peer = Peer.connect(server);
             Server control = echoServer().start(); Peer silent = Peer.connect(control)) {
            Drainable connection = only(server);
            // A message handler's connection, opened after it, goes in: a span in which this one would have gone.
            waitingOne(control);
            assertThat(served(connection)).isTrue();
            assertThat(peer.ask("two")).isEqualTo("two");
        }
    }

    @Test
    void aWakeUpRacingACloseRunsTheHandlerOnceAndEndsTheConnectionOnce() throws Exception {
        try (Server server = onLoopback().waitAfter(Duration.ofMillis(20)).handler(careful()).observer(recording()).start()) {
            for (int round = 0; round < 40; round++) {
                try (Peer peer = Peer.connect(server)) {
                    Drainable connection = only(server);
                    awaitUntil("it waits", () -> waiting(connection));
                    peer.write("wake " + round + "\n");
                    connection.close(CloseReason.of(CloseReason.Code.KICKED, "kicked"));
                    // The echo, if it came first, then the farewell, then the end; then this end
                    // closes, which a close with the line still unread waits for (a second at most).
                    peer.readUntilEnd();
                    peer.close();
                    awaitUntil("the connection left", () -> server.connections().isEmpty());
                    awaitUntil("its close was reported", () -> closes.containsKey(connection.id()));
                    assertThat(closes.get(connection.id())).hasSize(1);
                }
            }
            assertThat(overlaps).isEmpty();
        }
    }
}
