package dev.sockit;

import static dev.sockit.TestKit.PATIENCE;
import static dev.sockit.TestKit.awaitUntil;
import static dev.sockit.TestKit.onLoopback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sockit.TestKit.Peer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A server's connections as a peer comes, talks, is pushed to and goes. */
class ConnectionTest {

    private static final String ACK = Handlers.ACK_REPLY;

    /** Records how each connection ended, and when its handler returned. */
    private static final class Ends implements Observer {
        final BlockingQueue<CloseReason> closed = new LinkedBlockingQueue<>();
        final BlockingQueue<Connection> handlerReturned = new LinkedBlockingQueue<>();

        Handler around(Handler handler) {
            return connection -> {
                try {
                    handler.handle(connection);
                } finally {
                    handlerReturned.add(connection);
                }
            };
        }

        @Override
        public void closed(Connection connection, CloseReason reason) {
            closed.add(reason);
        }

        CloseReason nextClose() throws InterruptedException {
            return closed.poll(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        }

        Connection nextHandlerReturn() throws InterruptedException {
            return handlerReturned.poll(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        }
    }

    @Test
    void endsTheHandlerOfAClientThatResetsTheConnection() throws Exception {
        Ends ends = new Ends();
        try (Server server = onLoopback().handler(ends.around(Handlers.ack(ACK))).observer(ends).start()) {
            Peer peer = Peer.connect(server);
            assertThat(peer.ask("hello")).isEqualTo(ACK);
            assertThat(server.connections()).hasSize(1);
            // Linger zero: close sends RST instead of FIN, as a crashed or killed peer does.
            peer.socket().setSoLinger(true, 0);
            peer.close();
            assertThat(ends.nextHandlerReturn()).as("handler returned").isNotNull();
            assertThat(ends.nextClose()).extracting(CloseReason::code).isEqualTo(CloseReason.Code.BROKEN);
            awaitUntil("no connection is left", () -> server.connections().isEmpty());
        }
    }

    @Test
    void answersWhatAHalfClosingClientSentThenCloses() throws Exception {
        try (Server server = onLoopback().start(); Peer peer = Peer.connect(server)) {
            peer.write("one\ntwo\nthree\n");
            peer.socket().shutdownOutput();
            assertThat(peer.readUntilEnd()).containsExactly(ACK, ACK, ACK);
        }
    }

    @Test
    void endsTheHandlerOfAClientThatHalfCloses() throws Exception {
        Ends ends = new Ends();
        try (Server server = onLoopback().handler(ends.around(Handlers.ack(ACK))).observer(ends).start();
                Peer peer = Peer.connect(server)) {
            assertThat(peer.ask("hello")).isEqualTo(ACK);
            peer.socket().shutdownOutput();
            assertThat(ends.nextHandlerReturn()).as("handler returned").isNotNull();
            assertThat(ends.nextClose()).extracting(CloseReason::code).isEqualTo(CloseReason.Code.PEER_CLOSED);
            awaitUntil("no connection is left", () -> server.connections().isEmpty());
        }
    }

    @Test
    void aSendAfterShuttingOutputDownIsRefusedAndTheInputHalfStaysOpen() throws Exception {
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        Handler halfCloser = connection -> {
            connection.receive();
            connection.send("last words");
            connection.shutdownOutput();
            try {
                connection.send("one more");
            } catch (java.io.IOException refused) {
                seen.add("refused: " + refused.getMessage());
            }
            for (Message message; (message = connection.receive()) != null; ) {
                seen.add("received: " + message.text());
            }
        };
        try (Server server = onLoopback().handler(halfCloser).start();
             Peer peer = Peer.connect(server)) {
            peer.send("go");
            assertThat(peer.readUntilEnd()).containsExactly("last words");
            assertThat(seen.poll(PATIENCE.toSeconds(), TimeUnit.SECONDS)).startsWith("refused: cannot send to")
                    .contains("shut its output down");
            peer.send("still listening?");
            assertThat(seen.poll(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isEqualTo("received: still listening?");
        }
    }

    @Test
    void deliversALastLineWithoutNewlineWhenTheClientHalfCloses() throws Exception {
        try (Server server = onLoopback().handler(Handlers.echo()).start(); Peer peer = Peer.connect(server)) {
            peer.write("first\nlast");
            peer.socket().shutdownOutput();
            assertThat(peer.readUntilEnd()).containsExactly("first", "last");
        }
    }

    @Test
    void pushesASendFromAnotherThreadWhileTheHandlerWaitsInReceive() throws Exception {
        BlockingQueue<Connection> waiting = new LinkedBlockingQueue<>();
        BlockingQueue<Thread> handlers = new LinkedBlockingQueue<>();
        Handler listener = connection -> {
            handlers.add(Thread.currentThread());
            waiting.add(connection);
            while (connection.receive() != null) {
                // Only listens: anything it gets sent is a push.
            }
        };
        try (Server server = onLoopback().handler(listener).start(); Peer peer = Peer.connect(server)) {
            Connection connection = waiting.poll(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            Thread handler = handlers.poll(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(connection).isNotNull();
            awaitUntil("the handler waits in receive()", () -> handler.getState() == Thread.State.WAITING);
            connection.send("pushed");
            assertThat(peer.readLine()).isEqualTo("pushed");
        }
    }

    @Test
    void aFramesClientHearsTheReasonItsServerGaveForClosing() throws Exception {
        Handler kick = connection -> connection.close(CloseReason.of(CloseReason.Code.KICKED, "kicked: bye"));
        try (Server server = onLoopback().framing(dev.sockit.framing.Frames.defaults()).handler(kick).start();
             Connection client = Client.connect(server.endpoint()).framing(dev.sockit.framing.Frames.defaults()).open()) {
            assertThat(client.receive()).isNull();
            // 1008, the code for limits, timeouts and the operator, and the reason word for word.
            assertThat(client.peerFarewell()).contains(CloseReason.of(CloseReason.Code.LIMIT, "kicked: bye"));
        }
    }

    @Test
    void aLinesClientHearsNoFarewellOfItsOwn() throws Exception {
        Handler close = connection -> connection.close(CloseReason.of(CloseReason.Code.KICKED, "kicked: bye"));
        try (Server server = onLoopback().handler(close).start();
             Connection client = Client.connect(server.endpoint()).open()) {
            assertThat(client.receive().text()).isEqualTo("error: kicked: bye");
            assertThat(client.receive()).isNull();
            assertThat(client.peerFarewell()).isEmpty();
        }
    }

    @Test
    void refusesASendAfterTheConnectionClosedSayingWhy() throws Exception {
        BlockingQueue<Connection> ended = new LinkedBlockingQueue<>();
        Handler oneReply = connection -> {
            connection.receive();
            ended.add(connection);
        };
        try (Server server = onLoopback().handler(oneReply).start(); Peer peer = Peer.connect(server)) {
            peer.send("bye");
            Connection connection = ended.poll(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(peer.atEndOfStream()).isTrue();
            awaitUntil("the connection is closed", () -> !connection.isOpen());
            assertThatThrownBy(() -> connection.send("too late"))
                    .isInstanceOf(ClosedConnectionException.class)
                    .hasMessageContaining("closed");
        }
    }

    @Test
    void countsMessagesAndBytesBothWays() throws Exception {
        BlockingQueue<ConnectionStats> stats = new LinkedBlockingQueue<>();
        Observer observer = new Observer() {
            @Override
            public void closed(Connection connection, CloseReason reason) {
                stats.add(connection.stats());
            }
        };
        try (Server server = onLoopback().handler(Handlers.ack("ok")).observer(observer).start();
                Peer peer = Peer.connect(server)) {
            peer.write("a\nbb\n");
            assertThat(peer.readLines(2)).containsExactly("ok", "ok");
            peer.socket().shutdownOutput();
            ConnectionStats last = stats.poll(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(last).isNotNull();
            assertThat(last.messagesIn()).isEqualTo(2);
            assertThat(last.messagesOut()).isEqualTo(2);
            assertThat(last.bytesIn()).isEqualTo(5);
            assertThat(last.bytesOut()).isEqualTo(6);
        }
    }
}
