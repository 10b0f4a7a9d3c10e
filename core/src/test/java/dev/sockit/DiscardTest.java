package dev.sockit;

import static dev.sockit.TestKit.PATIENCE;
import static dev.sockit.TestKit.awaitUntil;
import static dev.sockit.TestKit.onLoopback;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.TestKit.Peer;
import dev.sockit.framing.Lines;
import dev.sockit.framing.Raw;
import dev.sockit.transport.SocketConnection;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * {@link Handlers#discard()}: over the raw framing a stream connection reads and forgets its
 * input without making messages (docs/performance.md, "Bulk transfer"), and must still count
 * it, keep to the memory budget, end as the peer ends and stop with the server.
 */
class DiscardTest {

    // Enough to grow the read buffer to its largest size, where a discarding reader's is direct.
    private static final int STREAM = 8 * 1024 * 1024;

    /** The connection's last word: why it closed and what it counted. */
    private record Ending(CloseReason reason, ConnectionStats stats) {}

    private static Observer endingInto(CompletableFuture<Ending> ending) {
        return new Observer() {
            @Override
            public void closed(Connection connection, CloseReason reason) {
                ending.complete(new Ending(reason, connection.stats()));
            }
        };
    }

    private static void stream(Peer peer, int bytes) throws IOException {
        byte[] chunk = new byte[128 * 1024];
        Arrays.fill(chunk, (byte) 'x');
        for (long sent = 0; sent < bytes; sent += chunk.length) {
            peer.write(bytes - sent >= chunk.length ? chunk : Arrays.copyOf(chunk, (int) (bytes - sent)));
        }
    }

    /** A writer that streams until the server ends the connection (2 GiB at most). */
    private static Thread streamUntilClosed(Peer peer) {
        return Thread.ofVirtual().start(() -> {
            try {
                stream(peer, Integer.MAX_VALUE);
            } catch (IOException closedByTheServer) {
                // The end the test waits for.
            }
        });
    }

    @Test
    void countsEveryByteOfARawStreamItForgetsAndClosesWhenThePeerDoes() throws Exception {
        CompletableFuture<Ending> ending = new CompletableFuture<>();
        try (Server server = onLoopback().framing(Raw.bytes()).handler(Handlers.discard())
                .observer(endingInto(ending)).start()) {
            try (Peer peer = Peer.connect(server)) {
                stream(peer, STREAM);
            }
            Ending end = ending.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(end.reason().code()).isEqualTo(CloseReason.Code.PEER_CLOSED);
            assertThat(end.stats().bytesIn()).isEqualTo(STREAM);
            // A raw message is one read's bytes: at least one, at most one per byte.
            assertThat(end.stats().messagesIn()).isBetween(1L, (long) STREAM);
            assertThat(server.stats().bytesIn()).isEqualTo(STREAM);
            assertThat(server.stats().messagesIn()).isEqualTo(end.stats().messagesIn());
        }
    }

    @Test
    void tellsAnObserverThatWatchesMessagesOfEveryByteItForgets() throws Exception {
        AtomicLong seen = new AtomicLong();
        AtomicLong messages = new AtomicLong();
        CompletableFuture<Ending> ending = new CompletableFuture<>();
        Observer watching = new Observer() {
            @Override
            public void received(Connection connection, Message message) {
                seen.addAndGet(message.length());
                messages.incrementAndGet();
            }

            @Override
            public void closed(Connection connection, CloseReason reason) {
                ending.complete(new Ending(reason, connection.stats()));
            }
        };
        try (Server server = onLoopback().framing(Raw.bytes()).handler(Handlers.discard()).observer(watching).start()) {
            try (Peer peer = Peer.connect(server)) {
                stream(peer, STREAM);
            }
            Ending end = ending.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(seen.get()).isEqualTo(STREAM);
            assertThat(messages.get()).isEqualTo(end.stats().messagesIn());
        }
    }

    @Test
    void closesAStreamThatOutgrowsTheMemoryBudgetAndServesTheNext() throws Exception {
        CompletableFuture<Ending> ending = new CompletableFuture<>();
        // Room for a 64 KiB read buffer, not for the next size up.
        try (Server server = onLoopback().framing(Raw.bytes()).handler(Handlers.discard()).maxBufferMemory(100_000)
                .observer(endingInto(ending)).start();
                Peer greedy = Peer.connect(server)) {
            Thread writer = streamUntilClosed(greedy);
            Ending end = ending.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(end.reason().code()).isEqualTo(CloseReason.Code.LIMIT);
            assertThat(end.reason().text()).contains("memory budget");
            assertThat(writer.join(PATIENCE)).as("the writer saw its connection end").isTrue();
            try (Peer next = Peer.connect(server)) {
                next.write(new byte[1000]);
                awaitUntil("the next peer's bytes are counted", () -> server.stats().bytesIn() >= end.stats().bytesIn() + 1000);
            }
        }
    }

    @Test
    void countsATailSmallerThanTheLowWaterMarkSoonAfterAStreamWithoutWaitingForMore() throws Exception {
        // A streaming discard reader waits for 256 KiB at a time (SO_RCVLOWAT); a tail of
        // fewer bytes that ends the stream, the peer still connected, must not wait with it.
        int tail = 100_000;
        try (Server server = onLoopback().framing(Raw.bytes()).handler(Handlers.discard()).start();
                Peer peer = Peer.connect(server)) {
            stream(peer, STREAM);
            awaitUntil("the server has the connection", () -> server.connections().size() == 1);
            SocketConnection served = (SocketConnection) server.connections().iterator().next();
            awaitUntil("the stream has reached the server, read or waiting unread",
                    () -> server.stats().bytesIn() + served.unreadBytes() == STREAM);
            peer.write(new byte[tail]);
            awaitUntil("the tail is counted, the peer sending nothing more",
                    () -> server.stats().bytesIn() == STREAM + tail);
            assertThat(served.stats().bytesIn()).isEqualTo(STREAM + tail);
            assertThat(served.unreadBytes()).isZero();
        }
    }

    @Test
    @SuppressWarnings("try")
    void stopsWithTheServerWhileThePeerKeepsStreaming() throws Exception {
        Duration drainTimeout = Duration.ofSeconds(5);
        CompletableFuture<Ending> ending = new CompletableFuture<>();
        try (Server server = onLoopback().framing(Raw.bytes()).handler(Handlers.discard()).drainTimeout(drainTimeout)
                .observer(endingInto(ending)).start();
                Peer streaming = Peer.connect(server)) {
            Thread writer = streamUntilClosed(streaming);
            awaitUntil("the stream flows", () -> server.stats().bytesIn() > STREAM);
            long start = System.nanoTime();
            server.close();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(drainTimeout);
            assertThat(ending.get(PATIENCE.toSeconds(), TimeUnit.SECONDS).reason().code())
                    .isEqualTo(CloseReason.Code.SHUTDOWN);
            assertThat(writer.join(PATIENCE)).as("the writer saw its connection end").isTrue();
        }
    }

    @Test
    @SuppressWarnings("try")
    void stopsWithTheServerWhenAStreamPausesBelowTheLowWaterMark() throws Exception {
        // A streaming discard reader waits for 256 KiB at a time; a pause lowers the mark, and
        // so does a drain: here the pause does not (the hook), so only the drain can wake the
        // reader for the bytes below the mark, and a stop must not wait for more.
        Duration drainTimeout = Duration.ofSeconds(10);
        CompletableFuture<Ending> ending = new CompletableFuture<>();
        try (Server server = onLoopback().framing(Raw.bytes()).handler(Handlers.discard()).drainTimeout(drainTimeout)
                .observer(endingInto(ending)).start();
                Peer pausing = Peer.connect(server)) {
            awaitUntil("the server has the connection", () -> server.connections().size() == 1);
            SocketConnection served = (SocketConnection) server.connections().iterator().next();
            served.keepLowWaterThroughPauses();
            stream(pausing, STREAM);
            awaitUntil("the stream has reached the server, read or waiting unread",
                    () -> server.stats().bytesIn() + served.unreadBytes() == STREAM);
            // These arrive while the reader waits for a quarter of a MiB: they wait unread. The
            // kernel also wakes a reader whose receive window is nearly full, so what the stream
            // left may be taken with the first tail; a tail sent once all is taken stays unread.
            long sent = STREAM;
            do {
                pausing.write(new byte[1000]);
                sent += 1000;
                long arrived = sent;
                awaitUntil("the last bytes have reached the server, read or waiting unread",
                        () -> server.stats().bytesIn() + served.unreadBytes() == arrived);
            } while (served.unreadBytes() == 0 && sent < STREAM + 5 * 1000);
            assertThat(served.unreadBytes()).as("bytes below the raised mark wait unread").isPositive();
            long start = System.nanoTime();
            server.close();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            Ending end = ending.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(end.reason().code()).isEqualTo(CloseReason.Code.SHUTDOWN);
            assertThat(end.stats().bytesIn()).as("what had arrived is read before the end").isEqualTo(sent);
        }
    }

    @Test
    void stillRefusesALineOverTheLimitWhenItDiscardsLines() throws Exception {
        // Only raw bytes are forgotten unread: lines are still cut, and held to their limit.
        try (Server server = onLoopback().framing(Lines.maxLength(1024)).handler(Handlers.discard()).start();
                Peer peer = Peer.connect(server)) {
            peer.send("fine");
            peer.send("y".repeat(2000));
            assertThat(peer.readLine()).startsWith("error: ").contains("1024");
        }
    }
}
