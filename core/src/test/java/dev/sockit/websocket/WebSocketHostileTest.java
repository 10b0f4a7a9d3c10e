package dev.sockit.websocket;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.Endpoint;
import dev.sockit.Handlers;
import dev.sockit.Server;
import dev.sockit.TestKit;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Peers that attack the opening rather than break the framing: they hold connections open
 * in the middle of the HTTP upgrade. Each costs a quiet read buffer and a parked virtual
 * thread until the handshake timeout closes it, and everyone else is served meanwhile.
 * (Frame-level attacks — 2^63-byte frames, unmasked frames, 126-byte control frames — are in
 * {@link WebSocketConformanceTest}.)
 */
class WebSocketHostileTest {

    static final int HALF_OPEN = 1_000;

    static Server echo(Duration handshakeTimeout) throws Exception {
        return Server.listen(Endpoint.parse("ws://127.0.0.1:0/"))
                .handshakeTimeout(handshakeTimeout)
                .maxPerSource(HALF_OPEN + 10)
                .handler(Handlers.echo())
                .start();
    }

    static void servesAClient(Server server) throws Exception {
        try (WsPeer peer = WsPeer.open(server.port())) {
            peer.text("through");
            assertThat(peer.readData().text()).isEqualTo("through");
        }
    }

    @Test
    void manyHalfOpenUpgradesAreClosedByTheTimeoutWhileOthersAreServed() throws Exception {
        List<Socket> attackers = new ArrayList<>();
        try (Server server = echo(Duration.ofSeconds(2))) {
            try {
                for (int i = 0; i < HALF_OPEN; i++) {
                    Socket socket = new Socket("127.0.0.1", server.port());
                    // The request line and one header, then nothing: never the blank line.
                    socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n".getBytes(ISO_8859_1));
                    attackers.add(socket);
                }
                TestKit.awaitUntil("all are admitted", () -> server.connections().size() >= HALF_OPEN);
                servesAClient(server);
                // None of them ever reached the handler: the timeout closes every one.
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (!server.connections().isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(10); // the server's connection list has no event to wait on
                }
                assertThat(server.connections()).isEmpty();
                for (Socket socket : attackers.subList(0, 10)) {
                    socket.setSoTimeout(5_000);
                    assertThat(socket.getInputStream().read()).as("closed without an answer").isEqualTo(-1);
                }
                servesAClient(server);
            } finally {
                for (Socket socket : attackers) {
                    socket.close();
                }
            }
        }
    }

    @Test
    void aSlowlorisSendingAByteAtATimeIsClosedAtTheTimeoutNotByEachByte() throws Exception {
        try (Server server = echo(Duration.ofMillis(500)); Socket slow = new Socket("127.0.0.1", server.port())) {
            byte[] request = "GET / HTTP/1.1\r\nHost: x\r\nX-Pad: ".getBytes(ISO_8859_1);
            long start = System.nanoTime();
            boolean cut = false;
            try {
                for (int i = 0; i < 10_000; i++) { // far longer than the timeout, a byte every 10 ms
                    slow.getOutputStream().write(i < request.length ? request[i] : 'a');
                    Thread.sleep(10); // the attacker's pace, not a wait for the server
                }
            } catch (java.io.IOException closedByTheServer) {
                cut = true;
            }
            assertThat(cut).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            servesAClient(server);
        }
    }
}
