package dev.sockit;

import static dev.sockit.TestKit.PATIENCE;
import static dev.sockit.TestKit.awaitUntil;
import static dev.sockit.TestKit.onLoopback;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.TestKit.Peer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A server stopped while its clients are sending. */
class StopUnderLoadTest {

    // What close() may take beyond the drain timeout to cut off what is left.
    private static final Duration GRACE = Duration.ofSeconds(1);

    @Test
    @SuppressWarnings("try") // the server is closed by the test, and again by try if the test fails
    void everyAcknowledgedMessageWasHandledAndTheStopEndsWithinTheDrainTimeout() throws Exception {
        int clients = 20;
        Duration drainTimeout = Duration.ofSeconds(2);
        Set<String> handled = ConcurrentHashMap.newKeySet();
        Handler recording = connection -> {
            for (Message message; (message = connection.receive()) != null; ) {
                handled.add(message.text());
                connection.send("ok " + message.text());
            }
        };
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicInteger sent = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        List<Peer> peers = new ArrayList<>();
        try (Server server = onLoopback().handler(recording).drainTimeout(drainTimeout).start()) {
            for (int c = 0; c < clients; c++) {
                Peer peer = Peer.connect(server);
                peers.add(peer);
                String name = "client-" + c + "-";
                // At most 100 unacknowledged lines each: virtual threads are not time-sliced, so
                // writers that never block would starve the readers on two cores.
                Semaphore window = new Semaphore(100);
                // Once the reader has seen the end, the writer must not wait out PATIENCE for a
                // window that no acknowledgement will open again.
                AtomicBoolean ended = new AtomicBoolean();
                threads.add(Thread.ofVirtual().start(() -> {
                    try {
                        for (int i = 0; i < 1_000_000 && window.tryAcquire(PATIENCE.toMillis(), TimeUnit.MILLISECONDS) && !ended.get(); i++) {
                            peer.send(name + i);
                            sent.incrementAndGet();
                        }
                    } catch (IOException | InterruptedException stopped) {
                        // The end this test causes.
                    }
                }));
                threads.add(Thread.ofVirtual().start(() -> {
                    try {
                        for (String line; (line = peer.readLine()) != null; ) {
                            acknowledged.add(line.substring("ok ".length()));
                            window.release();
                        }
                    } catch (IOException stopped) {
                        // Reset or cut off: what was read before it counts.
                    } finally {
                        ended.set(true);
                        window.release();
                    }
                }));
            }
            awaitUntil("traffic is flowing", () -> acknowledged.size() > 100 * clients);
            long start = System.nanoTime();
            server.close();
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(took).as("close() under load").isLessThan(drainTimeout.plus(GRACE));
            assertThat(server.connections()).isEmpty();
            for (Thread thread : threads) {
                assertThat(thread.join(PATIENCE)).as("every client saw its connection end").isTrue();
            }
            assertThat(handled).as("every acknowledged message was handled").containsAll(acknowledged);
            assertThat(handled.size()).as("nothing handled that was never sent").isLessThanOrEqualTo(sent.get());
        } finally {
            for (Peer peer : peers) {
                peer.close();
            }
        }
    }

    @Test
    @SuppressWarnings("try")
    void stopsWithinTheDrainTimeoutWhenManyClientsFloodAndNeverRead() throws Exception {
        // Each handler ends up blocked writing replies its peer never reads, holding its
        // connection's write lock, with megabytes of requests still to drain.
        int clients = 30;
        Duration drainTimeout = Duration.ofMillis(500);
        List<Socket> floods = new ArrayList<>();
        List<Thread> writers = new ArrayList<>();
        try (Server server = onLoopback().drainTimeout(drainTimeout).start()) {
            byte[] lines = TestKit.utf8("flood\n".repeat(10_000));
            for (int c = 0; c < clients; c++) {
                Socket socket = new Socket("127.0.0.1", server.port());
                floods.add(socket);
                writers.add(Thread.ofVirtual().start(() -> {
                    try {
                        OutputStream out = socket.getOutputStream();
                        for (int i = 0; i < 1_000; i++) { // at most 60 MB, and the server stops taking it long before
                            out.write(lines);
                        }
                    } catch (IOException stopped) {
                        // The end this test causes.
                    }
                }));
            }
            awaitUntil("every handler is stuck on a peer that does not read",
                    () -> server.connections().size() == clients && server.stats().bytesOut() > clients * 1_000_000L);
            long start = System.nanoTime();
            server.close();
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(took).as("close() with " + clients + " flooding peers").isLessThan(drainTimeout.plus(GRACE));
            assertThat(server.connections()).isEmpty();
            for (Socket socket : floods) {
                socket.close();
            }
            for (Thread writer : writers) {
                assertThat(writer.join(PATIENCE)).as("every flooding writer stopped").isTrue();
            }
        } finally {
            for (Socket socket : floods) {
                socket.close();
            }
        }
    }
}
