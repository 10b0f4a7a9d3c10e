package dev.sockit.websocket;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.Endpoint;
import dev.sockit.Handlers;
import dev.sockit.Server;
import dev.sockit.TestKit;
import java.io.DataInputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What an upgraded WebSocket that then falls silent keeps: not the buffers of its opening.
 * A browser's upgrade request (user agent, cookies, offered extensions) is longer than the
 * 256 bytes a quiet connection reads in, so reading it grows the read buffer to 8 KiB, and
 * the 101 is written from a write buffer of its own; a connection that then waits for its
 * peer gives both back, and costs about what an idle TCP connection of the same server does.
 */
class IdleWebSocketMemoryTest {

    static final int PEERS = 300;
    /** A browser-sized request's extra header lines: about 700 bytes. */
    static final String BROWSER_HEADERS = "User-Agent: Mozilla/5.0 " + "x".repeat(120) + "\r\n"
            + "Cookie: session=" + "c".repeat(400) + "\r\n"
            + "Accept-Language: en-US,en;q=0.9\r\nCache-Control: no-cache\r\nPragma: no-cache\r\n"
            + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n";
    /**
     * How much more an idle WebSocket may hold than an idle TCP connection of the same server
     * (its decoder, a reader's frames that differ): measured 1.5 to 4 KiB more here, where the
     * code is not yet compiled and its frames are large (0.2 KiB in a warm server,
     * bench/idle.sh). The opening's 8 KiB read buffer, kept, measured 9 KiB more.
     */
    static final long MOST_EXTRA_HEAP = 6 * 1024;

    @Test
    void anIdleWebSocketKeepsNoBufferOfItsOpening() throws Exception {
        try (Server server = Server.listen(Endpoint.parse("tcp://127.0.0.1:0"), Endpoint.parse("ws://127.0.0.1:0/"))
                .handler(Handlers.echo()).start()) {
            int tcpPort = server.endpoints().get(0).port();
            int wsPort = server.endpoints().get(1).port();
            // Both kinds' code run before the baseline: classes loaded, the opening's too.
            try (WsPeer peer = WsPeer.open(wsPort, "/", BROWSER_HEADERS); Socket nc = new Socket("127.0.0.1", tcpPort)) {
                peer.text("through");
                assertThat(peer.readData().text()).isEqualTo("through");
                nc.getOutputStream().write("through\n".getBytes(UTF_8));
                assertThat(new DataInputStream(nc.getInputStream()).readNBytes(8)).isEqualTo("through\n".getBytes(UTF_8));
            }
            TestKit.awaitUntil("the warm-up's connections gone", () -> server.connections().isEmpty());
            List<AutoCloseable> peers = new ArrayList<>();
            try {
                long before = heapAfterGc();
                for (int i = 0; i < PEERS; i++) {
                    Socket tcp = new Socket("127.0.0.1", tcpPort);
                    tcp.getInputStream(); // as a WsPeer holds its streams
                    tcp.getOutputStream();
                    peers.add(tcp);
                }
                TestKit.awaitUntil("every TCP peer accepted", () -> server.connections().size() == PEERS);
                long withTcp = heapAfterGc();
                long perTcp = (withTcp - before) / PEERS;
                for (int i = 0; i < PEERS; i++) {
                    peers.add(WsPeer.open(wsPort, "/", BROWSER_HEADERS));
                }
                // Each reader gives its buffers back just before it waits, microseconds after its 101.
                long[] perWebSocket = {Long.MAX_VALUE};
                try {
                    TestKit.awaitUntil("an idle WebSocket holding at most " + MOST_EXTRA_HEAP + " heap bytes more than"
                            + " an idle TCP connection", () -> {
                                try {
                                    perWebSocket[0] = (heapAfterGc() - withTcp) / PEERS;
                                } catch (InterruptedException e) {
                                    throw new AssertionError(e);
                                }
                                return perWebSocket[0] <= perTcp + MOST_EXTRA_HEAP;
                            });
                } finally {
                    System.out.printf("IdleWebSocketMemoryTest: %d heap bytes per idle WebSocket, %d per idle TCP"
                            + " connection (and the test's socket to it)%n", perWebSocket[0], perTcp);
                }
                assertThat(server.connections()).hasSize(2 * PEERS);
            } finally {
                for (AutoCloseable peer : peers) {
                    peer.close();
                }
            }
        }
    }

    /**
     * The heap in use after full collections, repeated until it stops falling: what a closed
     * connection leaves to cleaners goes only at a later one.
     */
    private static long heapAfterGc() throws InterruptedException {
        Runtime runtime = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc(); // a full collection with the JVM's default collector: what is left is held
            long now = runtime.totalMemory() - runtime.freeMemory();
            if (now >= used) {
                return now;
            }
            used = now;
            Thread.sleep(20); // the cleaners' turn
        }
        return used;
    }
}
