package dev.sockit;

import static dev.sockit.TestKit.PATIENCE;
import static dev.sockit.TestKit.awaitUntil;
import static dev.sockit.TestKit.onLoopback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sockit.TestKit.Peer;
import dev.sockit.transport.SocketConnection;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Closing a server while clients are connected: stop accepting, drain, then close. */
class ShutdownTest {

    private static final String ACK = Handlers.ACK_REPLY;

    @Test
    @SuppressWarnings("try") // the server is closed by the test, and again by try if the test fails
    void closesWithinTheDrainTimeoutWhileIdleClientsAreConnected() throws Exception {
        Duration drainTimeout = Duration.ofSeconds(5);
        List<Peer> peers = new ArrayList<>();
        try (Server server = onLoopback().drainTimeout(drainTimeout).start()) {
            for (int i = 0; i < 3; i++) {
                Peer peer = Peer.connect(server);
                peers.add(peer);
                assertThat(peer.ask("hello")).isEqualTo(ACK);
            }
            long start = System.nanoTime();
            server.close();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(drainTimeout);
            assertThat(server.connections()).isEmpty();
        } finally {
            for (Peer peer : peers) {
                peer.close();
            }
        }
    }

    @Test
    @SuppressWarnings("try")
    void endsEveryClientsStreamWhenItCloses() throws Exception {
        List<Peer> peers = new ArrayList<>();
        try (Server server = onLoopback().start()) {
            for (int i = 0; i < 3; i++) {
                Peer peer = Peer.connect(server);
                peers.add(peer);
                assertThat(peer.ask("hello")).isEqualTo(ACK);
            }
            server.close();
            for (Peer peer : peers) {
                assertThat(peer.atEndOfStream()).isTrue();
            }
        } finally {
            for (Peer peer : peers) {
                peer.close();
            }
        }
    }

    @Test
    void answersInputAlreadySentBeforeItCloses() throws Exception {
        CountDownLatch firstReceived = new CountDownLatch(1);
        CountDownLatch proceed = new CountDownLatch(1);
        Handler slow = connection -> {
            for (Message message; (message = connection.receive()) != null; ) {
                firstReceived.countDown();
                proceed.await();
                connection.send("done " + message.text());
            }
        };
        try (Server server = onLoopback().handler(slow).start(); Peer peer = Peer.connect(server)) {
            peer.send("one");
            assertThat(firstReceived.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
            // The handler is busy with "one"; these wait, sent but unread, in the server's socket.
            peer.write("two\nthree\n");
            Thread closer = Thread.ofVirtual().start(server::close);
            // Let the handler go on only once close() has begun draining; the drain state is
            // internal, so this one wait looks inside.
            awaitUntil("the server drains the connection", () -> server.connections().stream()
                    .allMatch(c -> ((SocketConnection) c).drainReason() != null));
            proceed.countDown();
            assertThat(peer.readUntilEnd()).containsExactly("done one", "done two", "done three");
            assertThat(closer.join(PATIENCE)).as("close() returned").isTrue();
        }
    }

    @Test
    @SuppressWarnings("try")
    void closesWithinTheDrainTimeoutWhileAClientKeepsSending() throws Exception {
        Duration drainTimeout = Duration.ofSeconds(5);
        try (Server server = onLoopback().handler(Handlers.discard()).drainTimeout(drainTimeout).start();
                Peer chatty = Peer.connect(server)) {
            chatty.send("first");
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    for (byte[] line = TestKit.utf8("more\n".repeat(1000)); ; ) {
                        chatty.write(line);
                    }
                } catch (IOException closedByTheServer) {
                    // The end this test waits for.
                }
            });
            awaitUntil("the server has the connection", () -> server.connections().size() == 1);
            long start = System.nanoTime();
            server.close();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(drainTimeout);
            assertThat(writer.join(PATIENCE)).as("the writer saw its connection end").isTrue();
        }
    }

    @Test
    @SuppressWarnings("try")
    void cutsOffAHandlerThatNeverReturnsAfterTheDrainTimeout() throws Exception {
        Duration drainTimeout = Duration.ofMillis(300);
        CountDownLatch stuck = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        Handler stubborn = connection -> {
            connection.receive();
            stuck.countDown();
            never.await();
        };
        try (Server server = onLoopback().handler(stubborn).drainTimeout(drainTimeout).start();
                Peer peer = Peer.connect(server)) {
            peer.send("hello");
            assertThat(stuck.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
            long start = System.nanoTime();
            server.close();
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(peer.atEndOfStream()).as("the stubborn handler's peer was cut off").isTrue();
            assertThat(took).isGreaterThanOrEqualTo(drainTimeout).isLessThan(drainTimeout.plusSeconds(2));
        } finally {
            never.countDown();
        }
    }

    @Test
    void refusesNewClientsOnceClosed() throws Exception {
        Server server = onLoopback().start();
        int port = server.port();
        server.close();
        assertThatThrownBy(() -> Peer.connect(port)).isInstanceOf(IOException.class);
    }

    @Test
    void closingTwiceIsHarmless() throws Exception {
        Server server = onLoopback().start();
        server.close();
        server.close();
        assertThat(server.isClosing()).isTrue();
    }
}
