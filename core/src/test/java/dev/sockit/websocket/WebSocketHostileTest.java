package dev.sockit.websocket;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockit.Endpoint;
import dev.sockit.Handlers;
import dev.sockit.Server;
import dev.sockit.TestKit;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Peers that attack the opening rather than break the framing: they hold connections open
 * in the middle of the HTTP upgrade. Each costs a quiet read buffer and a parked virtual
 * thread until the handshake timeout closes it, and everyone else is served meanwhile. The
 * 10,000 half-open upgrades come from another process ({@link HalfOpenUpgrades}): theirs and
 * the server's sockets together would pass one process's open-file limit.
 * (Frame-level attacks — 2^63-byte frames, unmasked frames, 126-byte control frames — are in
 * {@link WebSocketConformanceTest}.)
 */
class WebSocketHostileTest {

    /** The scale: more than one process may open beside the server's own files, so the attacker is another. */
    static final int HALF_OPEN = 10_000;
    /** Longer than connecting them all takes on a busy machine (2 to 4 s), so most are held at once. */
    static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);
    /**
     * What the server may hold per stalled upgrade: measured 6.7 KiB here (a connection, its
     * small read buffer, its timer, and a parked virtual thread whose frames, in code not yet
     * compiled in a test JVM, are large), so 10,000 cost about 65 MiB.
     */
    static final long MOST_HEAP_PER_CONNECTION = 12 * 1024;

    static Server echo(Duration handshakeTimeout) throws Exception {
        return Server.listen(Endpoint.parse("ws://127.0.0.1:0/"))
                .handshakeTimeout(handshakeTimeout)
                .maxConnections(HALF_OPEN + 100)
                .maxPerSource(HALF_OPEN + 100)
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
    void tenThousandHalfOpenUpgradesCostLittleAndAreClosedAtTheTimeoutWhileOthersAreServed() throws Exception {
        try (Server server = echo(HANDSHAKE_TIMEOUT)) {
            servesAClient(server); // the opening's classes loaded and its code run before the baseline
            long before = heapAfterGc();
            Process attacker = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                    "-Xmx64m", "-cp", System.getProperty("java.class.path"), HalfOpenUpgrades.class.getName(),
                    Integer.toString(server.port()), Integer.toString(HALF_OPEN), "60")
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            try (BufferedReader said = new BufferedReader(new InputStreamReader(attacker.getInputStream(), UTF_8))) {
                String ready = lineWithin(said, Duration.ofSeconds(60));
                assertThat(ready).as("the attacker's first line").isEqualTo("ready " + HALF_OPEN);
                // All are connected; the server is still reading their requests (the first ones'
                // timeout may be near on a slow machine, so not all need be held at once), and
                // meanwhile it serves an honest client and costs little for each.
                long admitting = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                while (server.connections().size() < HALF_OPEN && System.nanoTime() < admitting) {
                    Thread.sleep(10); // the server's connection list has no event to wait on
                }
                servesAClient(server);
                int stalled = server.connections().size();
                long held = heapAfterGc();
                assertThat(stalled).as("stalled upgrades held at once").isGreaterThanOrEqualTo(HALF_OPEN / 2);
                System.out.printf("WebSocketHostileTest: %d stalled upgrades held, %d heap bytes each%n", stalled,
                        (held - before) / stalled);
                assertThat((held - before) / stalled).as("heap bytes per stalled upgrade, with %d held", stalled)
                        .isLessThan(MOST_HEAP_PER_CONNECTION);

                String report = lineWithin(said, HANDSHAKE_TIMEOUT.plusSeconds(30));
                Matcher closed = Pattern.compile("closed (\\d+) of (\\d+), answered (\\d+), first after (-?\\d+) ms,"
                        + " last after (\\d+) ms").matcher(report);
                assertThat(closed.matches()).as(report).isTrue();
                assertThat(Integer.parseInt(closed.group(1))).as("closed by the server: " + report).isEqualTo(HALF_OPEN);
                assertThat(Integer.parseInt(closed.group(3))).as("a stalled upgrade gets no answer: " + report).isZero();
                // Less a little: the server may accept, and start its timer, before the attacker's
                // connect() has returned and taken the time.
                assertThat(Long.parseLong(closed.group(4))).as("none closed before the timeout: " + report)
                        .isGreaterThanOrEqualTo(HANDSHAKE_TIMEOUT.toMillis() - 100);
                assertThat(Long.parseLong(closed.group(5))).as("all closed soon after it: " + report)
                        .isLessThan(HANDSHAKE_TIMEOUT.plusSeconds(15).toMillis());
                TestKit.awaitUntil("the server's list empty", () -> server.connections().isEmpty());
                servesAClient(server);
                assertThat(attacker.waitFor(10, TimeUnit.SECONDS)).isTrue();
            } finally {
                attacker.destroyForcibly();
            }
        }
    }

    private static long heapAfterGc() {
        Runtime runtime = Runtime.getRuntime();
        System.gc(); // a full collection with the JVM's default collector: what is left is held
        return runtime.totalMemory() - runtime.freeMemory();
    }

    /** The next line the process says, or a failure once {@code patience} has passed without one. */
    private static String lineWithin(BufferedReader said, Duration patience) throws Exception {
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                return said.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, Executors.newVirtualThreadPerTaskExecutor());
        String text = line.get(patience.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(text).as("the attacker ended without a word (its errors are above)").isNotNull();
        return text;
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
